"""The guided routine runner: plan (pure), terminal view, sound."""
