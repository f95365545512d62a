"""Schemathesis against the OpenAPI schema, as every role and anonymously, against the
real app over HTTP with a real database and Temporal: no request may get a 5xx.

Deterministic (Hypothesis derandomized, a fixed seed) and bounded: every operation gets
Schemathesis' examples and coverage phases (boundary and invalid values of each field)
and a fixed number of generated examples for the roles allowed to call it; the roles
that are refused get a few examples only, since the guard answers before the input is
read (and so do signed-in roles on sign-up and sign-in, which read no token). Path
parameters are drawn half the time from the real ids of the seeded world, so requests
reach records in every phase and not only 404s, and bodies are half the time a valid
body with up to two generated fields in it, so they get past validation to the
services.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import hypothesis
import schemathesis
from hypothesis import strategies as st

from service.app import create_app
from service.settings import Settings
from tests.authorization import EXPECTED
from tests.conftest import TEST_JWT_SECRET
from tests.security.served import ThreadedApi
from tests.security.world import ROLES, World

EXAMPLES_ALLOWED = 25
EXAMPLES_REFUSED = 3
SEED = 20261125

# What the fuzzer saw: (role, operation) -> status codes, for the check at the end.
SEEN: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)

# The seeded world's ids and valid bodies, taken from the ``world`` fixture at the
# first request (Schemathesis builds its strategies before fixtures exist).
REAL_IDS: dict[str, list[int]] = {}
VALID_BODIES: dict[str, dict[str, Any]] = {}
UNSUBSCRIBE_TOKEN: list[str] = []

# Requests that end what others work on go last, so the rest meets records still open.
ENDINGS = ("/cancel", "/withdraw", "/decline", "/decision", "/hide")


def _openapi() -> dict[str, Any]:
    """The app's schema, as /schema/openapi.json serves it (no server needed for it),
    with the paths that end things last."""
    app = create_app(Settings(jwt_secret=TEST_JWT_SECRET))
    schema = app.openapi_schema.to_schema()
    paths = schema["paths"]
    schema["paths"] = dict(sorted(paths.items(), key=lambda item: item[0].endswith(ENDINGS)))
    return schema


# Signing up and in read no token: fuzzed in full anonymously, lightly as the others.
TOKEN_BLIND = ("POST /api/auth/register", "POST /api/auth/login")


def _config(role: str) -> schemathesis.Config:
    refused = [e for e, allowed in EXPECTED.items() if role not in allowed]
    if role != "anonymous":
        refused += TOKEN_BLIND
    operations = [
        {
            "include-name": sorted(refused),
            "generation": {"max-examples": EXAMPLES_REFUSED},
            "phases": {"coverage": {"enabled": False}},
        }
    ]
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_ALLOWED,
                "deterministic": True,
                "database": "none",
                "unique-inputs": True,
            },
            "phases": {"stateful": {"enabled": False}},
            "operations": operations if refused else [],
        }
    )


def _draw_real_ids(loaded: Any) -> None:
    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        real = {n: st.sampled_from(REAL_IDS.get(n) or [999_999]) for n in path_parameters}
        return st.one_of(st.fixed_dictionaries(real), st.just(path_parameters))

    @loaded.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        """Half the time, a valid body with up to two of the generated fields in it:
        requests that pass validation but for those fields reach the services."""
        operation = context.operation
        valid = VALID_BODIES.get(f"{operation.method.upper()} {operation.path}")
        if valid is None or not isinstance(body, dict) or not body:
            return st.just(body)
        mixed = st.lists(st.sampled_from(sorted(body)), max_size=2, unique=True)
        return st.one_of(
            st.just(body), mixed.map(lambda keys: {**valid, **{k: body[k] for k in keys}})
        )

    @loaded.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
        if "token" not in [p.name for p in context.operation.query]:
            return st.just(query)
        valid = {**(query or {}), "token": UNSUBSCRIBE_TOKEN[0]}
        return st.one_of(st.just(valid), st.just(query))


def _fuzz_as(role: str) -> Any:
    loaded = schemathesis.openapi.from_dict(_openapi(), config=_config(role))
    _draw_real_ids(loaded)

    @loaded.parametrize()
    @hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
    def test(case: Any, served: ThreadedApi, world: World) -> None:
        if not REAL_IDS:
            REAL_IDS.update(world.ids)
            VALID_BODIES.update(world.bodies)
            UNSUBSCRIBE_TOKEN.append(world.unsubscribe_token)
        headers = world.headers(role)
        response = case.call(base_url=served.base_url, headers=headers, timeout=60)
        SEEN[(role, f"{case.method} {case.path}")][response.status_code] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role}: {response.status_code}\n"
            f"{response.text[:2000]}\n{case.as_curl_command(headers=headers)}"
        )

    test.__name__ = f"test_no_server_error_as_{role}"
    return test


# Least destructive first: the city's requests may cancel or decide what others read.
for _role in ROLES:
    globals()[f"test_no_server_error_as_{_role}"] = _fuzz_as(_role)


def test_the_fuzzer_reached_real_records():
    """Run after the fuzzing above (file order): a fuzzer that only met 404s and 422s
    would prove little. Each role got successes from many operations."""
    if not SEEN:
        return  # the fuzzing tests were deselected
    reached: dict[str, set[str]] = defaultdict(set)
    for (role, operation), codes in SEEN.items():
        if any(200 <= code < 300 and code != 204 for code in codes):
            reached[role].add(operation)
    counts = {role: len(reached[role]) for role in ROLES}
    assert all(n >= 15 for role, n in counts.items() if role != "anonymous"), counts
    assert counts["anonymous"] >= 5, counts
