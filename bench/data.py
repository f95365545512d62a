"""The challenge every figure writes: the same problem, criteria and KPIs, so that the
figures read and write answers of the same shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def challenge_body(title: str, close_at: datetime, review_deadline: datetime) -> dict[str, Any]:
    """A draft as the city's ``POST /api/challenges`` takes it."""
    return {
        "title": title,
        "problem_statement": "Heat stress on the market square: on summer afternoons the "
        "square reaches 38 °C and the stall holders leave. We look for shade, cooling and "
        "water that a city can maintain, tested on the square for one summer.",
        "test_bed": "Marktplein, 2,400 m², with power and water on site.",
        "pilot_budget_cap_eur": 150000,
        "max_pilots": 2,
        "criteria": [
            {"name": "Impact", "weight": 50, "description": "Degrees taken off the square"},
            {"name": "Cost", "weight": 30, "description": "Over five years"},
            {"name": "Residents", "weight": 20, "description": "What residents think of it"},
        ],
        "kpis": [
            {"name": "Peak temperature drop", "unit": "°C", "target": 3},
            {"name": "Stalls staying open", "unit": "%", "target": 80},
        ],
        "proposals_close_at": close_at.isoformat(),
        "review_deadline": review_deadline.isoformat(),
    }
