"""Proeftuin's HTTP service: the Litestar app, its settings, database and domains."""
