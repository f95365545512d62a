"""The OpenAPI document against real answers, over real HTTP with the seeded world of
tests/security/world.py (a challenge in each phase, a running pilot, input, ...):

- every refusal the authorization table (tests/authorization.py) expects, and every one
  each role really gets for a record that does not exist, is documented on the
  operation, with the one error body;
- so are the answers to the bad input of tests/security/test_hostile_inputs.py (a body
  nested too deeply, a cursor or an id that is not ours) and to a write the phase
  refuses;
- Schemathesis' response checks on each operation, as a role allowed to call it, with
  real ids and valid bodies: the status is documented, the Content-Type is the
  documented one, and the body validates against the documented schema. Bounded and
  deterministic: a few examples per operation, a fixed seed.
"""

# ruff: noqa: F811
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from litestar.serialization import encode_json, get_serializer
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.settings import Settings
from tests.authorization import EXPECTED, SIGNED_IN
from tests.conftest import TEST_JWT_SECRET

# The stack and seeded world of tests/security/conftest.py, for this module too (the
# tests take them as arguments by the same names: F811).
from tests.security.conftest import (  # noqa: F401
    module_database_url,
    module_sessions,
    module_settings,
    module_temporal,
    served,
    world,
)
from tests.security.served import ThreadedApi
from tests.security.world import ROLES, World

# Schemathesis runs the operations as subtests of one test, and the last test reads what
# all of them saw: the file runs whole, in one process.
pytestmark = pytest.mark.serial

METHODS = ("get", "post", "put", "patch", "delete")
MISSING_ID = "999999"
NOT_AN_ID = str(2**63)
ROLE_PREFERENCE = ("city", "startup", "evaluator", "resident", "anonymous")
# Requests that end what others work on go last (as in the fuzzing).
ENDINGS = ("/cancel", "/withdraw", "/decline", "/decision", "/hide")
EXAMPLES = 4
SEED = 20261207


def _openapi() -> dict[str, Any]:
    """The document as /schema/openapi.json serves it, the endings last."""
    app = create_app(Settings(jwt_secret=TEST_JWT_SECRET))
    encoded = encode_json(app.openapi_schema.to_schema(), get_serializer(app.type_encoders))
    schema = json.loads(encoded)
    paths = schema["paths"]
    schema["paths"] = dict(sorted(paths.items(), key=lambda item: item[0].endswith(ENDINGS)))
    return schema


SCHEMA = _openapi()
DOCUMENTED: dict[str, dict[str, Any]] = {
    f"{method.upper()} {path}": spec
    for path, item in SCHEMA["paths"].items()
    for method, spec in item.items()
    if method in METHODS
}


def documented(endpoint: str) -> set[int]:
    return {int(status) for status in DOCUMENTED[endpoint]["responses"]}


def role_for(endpoint: str) -> str:
    return next(role for role in ROLE_PREFERENCE if role in EXPECTED[endpoint])


def fill(template: str, world: World, value: str | None = None) -> str:
    """``template`` with a real id of the world in each parameter, or ``value``."""

    def one(match: re.Match[str]) -> str:
        return value or str((world.ids.get(match.group(1)) or [int(MISSING_ID)])[0])

    return re.sub(r"\{([^}]+)\}", one, template)


@pytest.fixture(scope="module")
def client(served: ThreadedApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=60) as http:
        yield http


class Undocumented(list[str]):
    def check(self, endpoint: str, status_code: int, why: str) -> None:
        if status_code >= 400 and status_code not in documented(endpoint):
            self.append(f"{endpoint}: {status_code} ({why}) not in {sorted(documented(endpoint))}")

    def assert_none(self) -> None:
        assert not self, f"{len(self)} undocumented answers:\n" + "\n".join(sorted(set(self)))


def test_the_document_covers_every_operation_of_the_table():
    assert set(DOCUMENTED) == set(EXPECTED)


def test_every_refusal_is_documented_with_the_one_error_body():
    for endpoint, spec in DOCUMENTED.items():
        for status, response in spec["responses"].items():
            if int(status) < 400 or endpoint == "GET /api/health":  # not ready: its own body
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (endpoint, status)
            assert response["content"]["application/json"].get("examples"), (endpoint, status)


def test_amounts_are_declared_numbers_as_they_are_sent():
    """``Money`` is a Decimal inside and a JSON number on the wire (schemas/common.py):
    every ``*_eur`` field, optional or not, in requests and answers, says number."""
    declared = {}
    for name, component in SCHEMA["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if field.endswith("_eur"):
                kinds = [s.get("type") for s in spec.get("oneOf", [spec])]
                declared[f"{name}.{field}"] = sorted(k for k in kinds if k != "null")
    assert "ProposalUpdate.budget_eur" in declared and "PilotPublic.budget_eur" in declared
    assert {k: v for k, v in declared.items() if v != ["number"]} == {}


def test_each_refusal_the_authorization_table_expects_is_documented(client, world):
    """401 for anonymous callers and 403 for the roles the table refuses, 404 for a
    record that does not exist; and whatever each role really gets, called as the matrix
    calls it (an empty JSON body, an id that names no record)."""
    undocumented = Undocumented()
    for endpoint, allowed in sorted(EXPECTED.items()):
        method, template = endpoint.split(" ", 1)
        if "anonymous" not in allowed:
            undocumented.check(endpoint, 401, "the table: anonymous")
        if SIGNED_IN - allowed:
            undocumented.check(endpoint, 403, f"the table: {sorted(SIGNED_IN - allowed)}")
        if "{" in template:
            undocumented.check(endpoint, 404, "an id in the path")
        body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
        for role in ROLES:
            for path in (fill(template, world, MISSING_ID), fill(template, world)):
                response = client.request(method, path, headers=world.headers(role), **body)
                undocumented.check(endpoint, response.status_code, f"as {role} on {path}")
    undocumented.assert_none()


DEEP_BODY = b"[" * 10_000
BAD_CURSOR = "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"


def _reads_json(endpoint: str) -> bool:
    content = DOCUMENTED[endpoint].get("requestBody", {}).get("content", {})
    return "application/json" in content


def _query(endpoint: str) -> set[str]:
    return {p["name"] for p in DOCUMENTED[endpoint].get("parameters", []) if p["in"] == "query"}


def test_each_answer_to_bad_input_is_documented(client, world):
    """What tests/security/test_hostile_inputs.py sends, once per operation, as a role
    allowed to call it: a body nested too deeply (400), a cursor that is not ours and a
    number past the database's (422), an id that is not one (404)."""
    undocumented = Undocumented()
    for endpoint in sorted(EXPECTED):
        method, template = endpoint.split(" ", 1)
        headers = world.headers(role_for(endpoint))
        path = fill(template, world)
        if _reads_json(endpoint):
            deep = client.request(
                method,
                path,
                content=DEEP_BODY,
                headers={**headers, "content-type": "application/json"},
            )
            undocumented.check(endpoint, deep.status_code, "a body nested too deeply")
        for name in _query(endpoint):
            value = BAD_CURSOR if name == "cursor" else NOT_AN_ID
            bad = client.request(method, path, params={name: value}, headers=headers)
            undocumented.check(endpoint, bad.status_code, f"?{name}={value[:12]}")
        if "{" in template:
            odd = client.request(method, fill(template, world, NOT_AN_ID), headers=headers)
            undocumented.check(endpoint, odd.status_code, "an id that is not one")
    undocumented.assert_none()


def test_a_write_the_phase_refuses_is_a_documented_409(client, world):
    """A proposal sent to a challenge in review, a draft edited after it was published,
    the report of a challenge still running: 409 naming the phase, as documented."""
    city, startup = world.headers("city"), world.headers("startup")
    reviewed = client.get("/api/challenges?phase=review").json()["items"][0]["id"]
    opened = client.get("/api/challenges?phase=open").json()["items"][0]["id"]
    cases = [
        (
            "POST /api/challenges/{challenge_id}/proposals",
            client.post(
                f"/api/challenges/{reviewed}/proposals",
                json=world.bodies["POST /api/challenges/{challenge_id}/proposals"],
                headers=startup,
            ),
        ),
        (
            "PATCH /api/challenges/{challenge_id}",
            client.patch(f"/api/challenges/{opened}", json={"title": "Later"}, headers=city),
        ),
        (
            "GET /api/challenges/{challenge_id}/report",
            client.get(f"/api/challenges/{opened}/report"),
        ),
    ]
    undocumented = Undocumented()
    for endpoint, response in cases:
        assert response.status_code == 409, (endpoint, response.text)
        assert response.json()["extra"]["phase"] in {"open", "review"}, response.text
        undocumented.check(endpoint, 409, "the phase")
    undocumented.assert_none()


# -- Schemathesis' response checks ---------------------------------------------------------

REAL_IDS: dict[str, list[int]] = {}
VALID_BODIES: dict[str, dict[str, Any]] = {}
UNSUBSCRIBE_TOKEN: list[str] = []
SEEN: dict[str, Counter[int]] = defaultdict(Counter)
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]

loaded = schemathesis.openapi.from_dict(
    SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "positive",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
)


@loaded.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Real ids, so that the answers are the records' and not only 404s."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.deferred(
        lambda: st.fixed_dictionaries(
            {n: st.sampled_from(REAL_IDS.get(n) or [int(MISSING_ID)]) for n in path_parameters}
        )
    )


@loaded.hook
def flatmap_body(context: Any, body: Any) -> Any:
    """Mostly a valid body of the world (with one generated field in it at times), so
    that requests reach the services and get their successes and refusals."""
    operation = context.operation
    valid = VALID_BODIES.get(f"{operation.method.upper()} {operation.path}")
    if valid is None or not isinstance(body, dict):
        return st.just(body)
    one_field = st.sampled_from(sorted(body) or [""]).map(
        lambda key: {**valid, key: body[key]} if key else valid
    )
    return st.one_of(st.just(valid), one_field)


@loaded.hook
def map_query(context: Any, query: dict[str, Any] | None) -> Any:
    """The unsubscribe link's token is the world's real one."""
    if query is not None and "token" in query and UNSUBSCRIBE_TOKEN:
        return {**query, "token": UNSUBSCRIBE_TOKEN[0]}
    return query


@pytest.fixture
def hooks_see_the_world(world: World) -> None:
    """The world's ids and bodies for the hooks above, before the first example is drawn
    (Schemathesis builds its strategies before any fixture exists)."""
    if not REAL_IDS:
        REAL_IDS.update(world.ids)
        VALID_BODIES.update(world.bodies)
        UNSUBSCRIBE_TOKEN.append(world.unsubscribe_token)


@loaded.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_real_answers_match_the_document(
    case: Any, served: ThreadedApi, world: World, hooks_see_the_world: None
) -> None:
    endpoint = f"{case.method} {case.path}"
    headers = world.headers(role_for(endpoint))
    response = case.call(base_url=served.base_url, headers=headers, timeout=60)
    SEEN[endpoint][response.status_code] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_the_checks_met_successes():
    """Run after the checks above (file order): most operations answered with a
    success, so their success bodies were checked, not only their refusals."""
    if not SEEN:
        return  # the checks were deselected
    succeeded = {e for e, codes in SEEN.items() if any(200 <= c < 300 for c in codes)}
    assert len(succeeded) >= len(EXPECTED) * 2 // 3, sorted(set(EXPECTED) - succeeded)
