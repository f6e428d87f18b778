"""Calendar feeds: the list of calendars (a 0600 file: feed URLs are secrets), fetching with
ETag caching, and expanding events into the busy/run windows the planner needs.

Only `deskbreak calendar sync` (a separate process) imports `expand`, and with it icalendar;
the daemon never does, so calendars cost it no memory.
"""
