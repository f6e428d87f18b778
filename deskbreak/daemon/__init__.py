"""The asyncio service: scheduler, control server, typed protocol, lock, sdnotify, logs."""
