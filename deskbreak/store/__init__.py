"""SQLite history: reminders, answers, events, daemon state, stats."""
