"""Publication: turning warehouse facts into tables that are safe to show the public."""
