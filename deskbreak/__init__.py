"""deskbreak: desk mobility reminders and guided routines for runners who sit all day."""

__version__ = "0.1.0"
