"""Login integration: the systemd user unit, the launchd agent, their shared types."""
