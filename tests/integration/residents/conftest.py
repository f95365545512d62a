from __future__ import annotations

import pytest

from service.settings import Settings

LIMITS = {"input_limit_per_hour": 3, "endorsement_limit_per_hour": 3, "report_limit_per_hour": 2}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small per-account limits, so a test reaches them in a few requests."""
    return settings.model_copy(update=LIMITS)
