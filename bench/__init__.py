"""Benchmarks: ``python -m bench`` runs the one benchmark command (bench/__main__.py)."""
