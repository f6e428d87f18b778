"""Pure planning: when reminders are due. Handed `now`, never asks the clock; no I/O."""
