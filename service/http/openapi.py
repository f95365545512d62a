"""What the OpenAPI document says of the answers the API gives beside its successes.

Every operation under ``/api`` lists the refusals it can give, each with the one error
body (``schemas.errors.ErrorBody``) and a realistic example. Most are read off the route
itself, so a new endpoint is documented as it is written (``DocumentedRefusals``):

- a guard that refuses anonymous callers: 401; one that refuses some signed-in roles: 403
  (found by asking the guard itself, as a request would);
- an id in the path: 404 (no such record, or an id that is not one);
- a body or query parameters: 422 naming each bad field; a JSON body also 400 when
  nested too deeply to read (``service/http/errors.py``).

What only the service knows (a phase that refuses the write: 409; a rate limit: 429;
a refusal by the records rather than the guard: 403) a handler says itself, with
``responses=refusals(409, ...)``. Every POST may also meet an ``Idempotency-Key`` in use
(409) or used for another request (422), and every request a database out of reach
(503). Both are checked against real answers by
tests/integration/test_openapi_contract.py.

Amounts (``schemas.common.Money``) are ``Decimal`` inside and JSON numbers on the wire;
``MoneySchema`` declares them so (Litestar declares a bare ``Decimal`` a string).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin, ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.typing import FieldDefinition

from schemas.common import Role
from schemas.errors import ErrorBody
from service.auth.identity import CurrentUser
from service.idempotency.middleware import NOT_IDEMPOTENT

API_PREFIX = "/api"

_FIELD = {"key": "budget_eur", "message": "Input should be greater than or equal to 0"}
REFUSALS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "The request cannot be read (a JSON body nested too deeply to read).",
        {
            "status_code": 400,
            "detail": "request body: nested too deeply",
            "extra": [{"key": "body", "message": "nested too deeply", "source": "body"}],
        },
    ),
    401: (
        "Not signed in: no token, or an expired or unknown one.",
        {"status_code": 401, "detail": "sign in first: this needs an account"},
    ),
    403: (
        "Signed in, but this account may not do this.",
        {
            "status_code": 403,
            "detail": "only city accounts can do this; you are signed in as startup",
        },
    ),
    404: (
        "No such record, or not one this account may know of.",
        {"status_code": 404, "detail": "proposal 31 not found"},
    ),
    409: (
        "The phase, or the records as they stand, refuse this (``extra.phase`` names the "
        "phase); or a request with the same Idempotency-Key is still running.",
        {
            "status_code": 409,
            "detail": "challenge 12 is in phase 'review': proposals can only be submitted "
            "while the call is open",
            "extra": {"phase": "review"},
        },
    ),
    422: (
        "Bad input: ``extra`` lists each field (``key``), why (``message``) and where "
        "(``source``: body, query, path).",
        {
            "status_code": 422,
            "detail": "Validation failed for POST /api/challenges/12/proposals",
            "extra": [{**_FIELD, "source": "body"}],
        },
    ),
    429: (
        "Too many of these: try again after ``Retry-After`` seconds (also ``extra.retry_after``).",
        {
            "status_code": 429,
            "detail": "too many inputs: at most 20 an hour; try again in 1260 s",
            "extra": {"retry_after": 1260, "limit": 20},
        },
    ),
    503: (
        "The database or the workflow engine cannot be reached right now; try again "
        "after ``Retry-After`` seconds.",
        {
            "status_code": 503,
            "detail": "the database cannot be reached right now; try again shortly",
        },
    ),
}


def refusal(status_code: int) -> ResponseSpec:
    description, example = REFUSALS[status_code]
    return ResponseSpec(
        data_container=ErrorBody,
        description=description,
        generate_examples=False,
        examples=[Example(summary=description.split(":")[0].rstrip("."), value=example)],
    )


def refusals(*status_codes: int) -> dict[int, ResponseSpec]:
    """The refusals a handler gives that its route does not show (see the module)."""
    return {status_code: refusal(status_code) for status_code in status_codes}


# -- read off the route -------------------------------------------------------------------

_NOT_PARAMETERS = {"self", "request", "state", "scope", "headers", "cookies", "query", "body"}


def _refused_by_guards(handler: HTTPRouteHandler) -> set[int]:
    """Ask each guard, as a request would: anonymously, then as each role."""
    statuses: set[int] = set()
    callers = [None] + [CurrentUser(0, "someone@example.org", role, "Someone") for role in Role]
    for wrapped in handler.resolve_guards():
        # Ours are async, each with its sync check beside it (service/auth/guards.py);
        # Litestar wraps a sync guard (``func``). Any other async one lists its refusals itself.
        guard: Any = getattr(wrapped, "check", None) or getattr(wrapped, "func", wrapped)
        if inspect.iscoroutinefunction(guard):
            continue
        for user in callers:
            # The guards read the user off the scope, as service/auth/guards.py does.
            connection = cast(
                "ASGIConnection[Any, Any, Any, Any]", SimpleNamespace(scope={"user": user})
            )
            try:
                guard(connection, handler)
            except HTTPException as exc:
                statuses.add(exc.status_code)
    return statuses


def _read_parameters(handler: HTTPRouteHandler) -> set[str]:
    """What the handler and the dependencies it uses read off the request: ``data`` for
    the body, and each path, query, header and cookie parameter by name."""
    dependencies = handler.resolve_dependencies()
    found: set[str] = set()
    pending = [handler.parsed_fn_signature.parameters]
    seen: set[str] = set()
    while pending:
        for name in pending.pop():
            if name in dependencies:
                if name not in seen:
                    seen.add(name)
                    pending.append(dependencies[name].parsed_fn_signature.parameters)
            elif name == "data" or name not in _NOT_PARAMETERS:
                found.add(name)
    return found


def derived_refusals(
    handler: HTTPRouteHandler, path: str, path_parameters: Iterable[str]
) -> set[int]:
    statuses = _refused_by_guards(handler)
    in_path = set(path_parameters)
    reads = _read_parameters(handler)
    if in_path:
        statuses.add(404)
    if reads - in_path:
        statuses.add(422)  # a body or query parameters are read, and can be wrong
    if "POST" in handler.http_methods and path not in NOT_IDEMPOTENT:
        statuses |= {409, 422}  # an Idempotency-Key in use, or used for another request
    if "data" in reads or statuses & {404, 422}:
        # Where Litestar documents its own 400 (any parameter), ours stands instead.
        statuses.add(400)
    statuses.add(503)  # the database (or the workflows) out of reach, on any request
    return statuses


class DocumentedRefusals(ReceiveRoutePlugin):
    """Gives each JSON operation under ``/api`` the refusals its route shows, beside
    those its handler lists itself (``responses=refusals(...)``), which win."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            return
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:
                continue
            derived = derived_refusals(handler, route.path, route.path_parameters)
            own = dict(handler.responses or {})
            handler.responses = {**refusals(*sorted(derived)), **own}


class MoneySchema(OpenAPISchemaPlugin):
    """An amount in euros: a ``Decimal`` here, a JSON number on the wire
    (``schemas.common.Money``), so a number in the document too."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.annotation is Decimal

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        return Schema(type=OpenAPIType.NUMBER, minimum=0, examples=[25000.0])
