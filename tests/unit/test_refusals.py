"""The domain's refusals (service/errors.py) as the two doors answer them: the API with
the status and body every client error has, in one place (service/http/errors.py), and
an activity with a non-retryable ApplicationError (workflows/activities/errors.py). And
``Unavailable``, which is no refusal: a 503 with Retry-After, retryable in an activity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import get
from litestar.testing import create_test_client
from temporalio.exceptions import ApplicationError

from service.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    PhaseConflict,
    RateLimited,
    Unavailable,
)
from service.http.errors import exception_handlers
from service.workflow_gateway import WorkflowUnavailable
from workflows.activities.errors import RefusalsInterceptor, application_error

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
    (RateLimited("inputs", 5, 42), 429, {"extra": {"retry_after": 42, "limit": 5}}),
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


@pytest.mark.parametrize(("refusal", "status_code", "rest"), REFUSALS)
def test_an_activity_refusal_is_final(
    refusal: DomainError, status_code: int, rest: dict[str, Any]
) -> None:
    error = application_error(refusal)
    assert error.non_retryable
    assert error.message == refusal.detail
    assert error.type == type(refusal).__name__
    assert list(error.details) == ([refusal.extra] if refusal.extra is not None else [])


class _Raising:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def init(self, outbound: Any) -> None:
        pass

    async def execute_activity(self, input: Any) -> Any:
        raise self.error


async def test_the_worker_turns_every_activity_refusal_into_a_final_error() -> None:
    refusing = RefusalsInterceptor().intercept_activity(
        _Raising(NotFound("pilot 9 does not exist"))
    )
    with pytest.raises(ApplicationError) as raised:
        await refusing.execute_activity(None)
    assert raised.value.non_retryable and raised.value.type == "NotFound"


async def test_any_other_activity_error_stays_retryable() -> None:
    failing = RefusalsInterceptor().intercept_activity(_Raising(ConnectionError("db down")))
    with pytest.raises(ConnectionError):
        await failing.execute_activity(None)


def test_a_rate_limit_says_how_often_and_when_to_try_again() -> None:
    assert RateLimited("inputs", 5, 42).detail == (
        "too many inputs: at most 5 an hour; try again in 42 s"
    )
    assert RateLimited("sign-ins", 10, 60, timedelta(minutes=15)).detail == (
        "too many sign-ins: at most 10 in 15 minutes; try again in 60 s"
    )
    assert "at most 3 a minute" in RateLimited("reports", 3, 9, timedelta(minutes=1)).detail

    @get("/limited", sync_to_thread=False)
    def limited() -> None:
        raise RateLimited("inputs", 5, 42)

    with create_test_client([limited], exception_handlers=exception_handlers) as client:
        response = client.get("/limited")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"


@pytest.mark.parametrize(
    "unavailable",
    [Unavailable("the workflows cannot be reached"), WorkflowUnavailable("no answer")],
)
def test_the_api_answers_unavailable_with_503_and_retry_after(unavailable: Unavailable) -> None:
    @get("/unavailable", sync_to_thread=False)
    def down() -> None:
        raise unavailable

    with create_test_client([down], exception_handlers=exception_handlers) as client:
        response = client.get("/unavailable")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"status_code": 503, "detail": unavailable.detail}


async def test_an_activity_that_finds_something_unavailable_stays_retryable() -> None:
    failing = RefusalsInterceptor().intercept_activity(_Raising(Unavailable("temporal down")))
    with pytest.raises(Unavailable):
        await failing.execute_activity(None)
