"""Talking to the desktop: notification backends and presence sources."""
