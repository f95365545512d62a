"""Temporal workflows: they hold time and decisions; the database holds the records."""
