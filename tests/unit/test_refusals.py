"""The domain's refusals (service/errors.py) as the API answers them: with the status and
body every client error has, in one place (service/http/errors.py)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import get
from litestar.testing import create_test_client

from service.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    PhaseConflict,
)
from service.http.errors import exception_handlers

REFUSALS: list[tuple[DomainError, int, dict[str, Any]]] = [
    (NotAuthenticated("wrong e-mail address or password"), 401, {}),
    (Forbidden("this proposal is not yours to read"), 403, {}),
    (NotFound("no challenge 7"), 404, {}),
    (Conflict("already decided"), 409, {}),
    (
        PhaseConflict("challenge 7", "review", "proposals are closed"),
        409,
        {"extra": {"phase": "review"}},
    ),
    (
        FieldError("weights", "must sum to 100", source="query"),
        422,
        {"extra": [{"key": "weights", "message": "must sum to 100", "source": "query"}]},
    ),
]


@pytest.mark.parametrize(("refusal", "status_code", "rest"), REFUSALS)
def test_the_api_answers_each_refusal_with_its_status_and_the_common_body(
    refusal: DomainError, status_code: int, rest: dict[str, Any]
) -> None:
    @get("/refused", sync_to_thread=False)
    def refused() -> None:
        raise refusal

    with create_test_client([refused], exception_handlers=exception_handlers) as client:
        response = client.get("/refused")
    assert response.status_code == status_code
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status_code": status_code, "detail": refusal.detail, **rest}


def test_a_phase_conflict_says_what_which_phase_and_why() -> None:
    refusal = PhaseConflict("challenge 7", "review", "proposals are closed")
    assert refusal.detail == "challenge 7 is in phase 'review': proposals are closed"
    assert str(refusal) == refusal.detail


def test_a_refusal_of_a_subclass_answers_as_its_nearest_listed_class() -> None:
    class NoSuchDraft(NotFound):
        pass

    @get("/refused", sync_to_thread=False)
    def refused() -> None:
        raise NoSuchDraft("no draft 3")

    with create_test_client([refused], exception_handlers=exception_handlers) as client:
        assert client.get("/refused").json() == {"status_code": 404, "detail": "no draft 3"}
