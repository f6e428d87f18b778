"""Presence sources: idle, locked, do not disturb, fullscreen, sleep (see monitor.py)."""
