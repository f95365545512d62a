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

Besides what Schemathesis generates from the schema, some of each is hostile on
purpose (what the schema's types never generate): a query parameter with a cursor that
decodes to a huge or negative number, is not base64 or not ASCII, an integer past 64
bits or in other scripts' digits, text with control characters, a time whose UTC form
leaves the calendar; a path id past 64 bits, in other scripts' digits or with a sign;
odd Accept-Language, Accept, Content-Type, X-Forwarded-For, Idempotency-Key and (rarely,
since it ends the request at once) Authorization headers. And the first write of each
role and operation that succeeds is sent again ``RACE_COPIES`` times at once. Bodies
nested too deeply cannot be made by a JSON encoder: tests/security/test_hostile_inputs.py
sends them, with the rest of the explicit hostile requests.
"""

from __future__ import annotations

import base64
import json
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st

from service.app import create_app
from service.settings import Settings
from tests.authorization import EXPECTED
from tests.conftest import TEST_JWT_SECRET
from tests.security.served import ThreadedApi
from tests.security.world import ROLES, World

# Schemathesis runs each schema's operations as subtests of one test, and the checks at
# the end read what all of them saw: the file runs whole, in one process.
pytestmark = pytest.mark.serial

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

# The first successful write of each role and operation, sent again this many times at
# once: copies racing for one unique row must end in answers, not in a 500. Not sign-up
# and sign-in (TOKEN_BLIND), where each copy hashes a password, slow on two cores:
# tests/security/test_hostile_inputs.py races those.
RACE_COPIES = 4
RACED: set[tuple[str, str]] = set()

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


# -- hostile values, mixed into what Schemathesis generates ------------------------------


def _b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


_DIGITS = ["²", "٣", "१२", "５", " 1", "+1", "01", "1_0", "1e3", "9" * 400]
HOSTILE_CURSORS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(lambda n: _b64(str(n))),
    st.sampled_from([_b64(d) for d in _DIGITS] + ["OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ", "MQ==="]),
    st.binary(max_size=12).map(_b64),
    st.text(max_size=30),
)
HOSTILE_INTS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str), st.sampled_from(_DIGITS)
)
HOSTILE_TIMES = st.sampled_from(
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "2026-02-30T25:61:00Z",
        "²",
    ]
)
HOSTILE_TEXT = st.text(max_size=60)  # control characters, NUL and other scripts included
HOSTILE_TOKENS = st.one_of(
    st.sampled_from(["².x", "٣.x", f"{2**64}.x", "1.é", "0.x", "-1.x", "1.", "."]),
    st.text(max_size=40),
)
HOSTILE_PATH_IDS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from(_DIGITS)
)


def mix(*weighted: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight says; Hypothesis takes the
    first for the simplest (so it comes first in shrinking and derandomized runs)."""
    picks = [index for index, (weight, _) in enumerate(weighted) for _ in range(weight)]
    return st.sampled_from(picks).flatmap(lambda index: weighted[index][1])


def _hostile(name: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of a query parameter that its schema's type never generates."""
    kind = json.dumps(schema)
    if name == "cursor":
        return HOSTILE_CURSORS
    if name == "token":
        return HOSTILE_TOKENS
    if '"integer"' in kind:
        return HOSTILE_INTS
    if '"date-time"' in kind:
        return HOSTILE_TIMES
    return HOSTILE_TEXT


# Header values must be latin-1 text without leading or trailing spaces to be sent.
_HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x7f\x85\xa0"),
    min_size=1,
    max_size=300,
)
ODD_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Accept-Language": st.one_of(
            _HEADER_TEXT, st.just(", ".join(["nl-NL;q=0.9"] * 300)), st.just("*;q=abc,;;")
        ),
        "Accept": st.one_of(_HEADER_TEXT, st.just("text/csv;q=nan, */*;q=-1")),
        "Content-Type": st.sampled_from(
            [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/json; charset=utf-16",
                ";;;=;",
            ]
        ),
        "X-Forwarded-For": st.one_of(_HEADER_TEXT, st.just(", ".join(["10.0.0.1"] * 200))),
        "Idempotency-Key": _HEADER_TEXT,
    },
)
# Under a header of its own: Schemathesis draws an Authorization for the schema's bearer
# scheme, which the role's token replaces; this one replaces the role's token.
ODD_AUTHORIZATION_HEADER = "X-Fuzz-Authorization"
ODD_AUTHORIZATION = st.one_of(
    _HEADER_TEXT.map(lambda t: f"Bearer {t}"), _HEADER_TEXT, st.just("Bearer " + "a" * 8192)
).map(lambda value: {ODD_AUTHORIZATION_HEADER: value})


def _hostile_hooks(loaded: Any) -> None:
    @loaded.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
        """A quarter of the time, one parameter hostile; the unsubscribe link's token is
        otherwise half the time the world's real one."""
        params = {p.name: p.definition.get("schema", {}) for p in context.operation.query}
        if not params:
            return st.just(query)
        base = dict(query or {})
        hostile = st.sampled_from(sorted(params)).flatmap(
            lambda name: _hostile(name, params[name]).map(lambda value: {**base, name: value})
        )
        plain: st.SearchStrategy[Any] = st.just(query)
        if "token" in params and UNSUBSCRIBE_TOKEN:
            plain = st.one_of(plain, st.just({**base, "token": UNSUBSCRIBE_TOKEN[0]}))
        return mix((3, plain), (1, hostile))

    @loaded.hook
    def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> Any:
        """A fifth of the time odd headers; one time in twenty an odd Authorization."""
        base = dict(headers or {})
        odd = ODD_HEADERS.map(lambda extra: {**base, **extra})
        auth = ODD_AUTHORIZATION.map(lambda extra: {**base, **extra})
        return mix((15, st.just(headers)), (4, odd), (1, auth))


def _draw_real_ids(loaded: Any) -> None:
    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        if not path_parameters:
            return st.just(path_parameters)
        real = {n: st.sampled_from(REAL_IDS.get(n) or [999_999]) for n in path_parameters}
        hostile = {n: HOSTILE_PATH_IDS for n in path_parameters}
        return mix(
            (3, st.fixed_dictionaries(real)),
            (2, st.just(path_parameters)),
            (1, st.fixed_dictionaries(hostile)),
        )

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


def _fuzz_as(role: str) -> Any:
    loaded = schemathesis.openapi.from_dict(_openapi(), config=_config(role))
    _draw_real_ids(loaded)
    _hostile_hooks(loaded)

    @loaded.parametrize()
    @hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
    def test(case: Any, served: ThreadedApi, world: World) -> None:
        if not REAL_IDS:
            REAL_IDS.update(world.ids)
            VALID_BODIES.update(world.bodies)
            UNSUBSCRIBE_TOKEN.append(world.unsubscribe_token)
        headers = world.headers(role)
        if case.headers and ODD_AUTHORIZATION_HEADER in case.headers:
            # An odd Authorization drawn by the hooks stands instead of the role's token.
            headers = {"Authorization": case.headers.pop(ODD_AUTHORIZATION_HEADER)}
        operation = f"{case.method} {case.path}"
        response = case.call(base_url=served.base_url, headers=headers, timeout=60)
        SEEN[(role, operation)][response.status_code] += 1
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} as {role}: {response.status_code}\n"
            f"{response.text[:2000]}\n{case.as_curl_command(headers=headers)}"
        )
        if case.method != "GET" and 200 <= response.status_code < 300:
            _race(case, role, operation, served.base_url, headers)

    test.__name__ = f"test_no_server_error_as_{role}"
    return test


def _race(case: Any, role: str, operation: str, base_url: str, headers: dict[str, str]) -> None:
    """The first write of ``role`` on ``operation`` that succeeded, sent again
    ``RACE_COPIES`` times at once: each copy must get an answer, not a 5xx."""
    if (role, operation) in RACED or operation in TOKEN_BLIND:
        return
    RACED.add((role, operation))
    with ThreadPoolExecutor(RACE_COPIES) as pool:
        copies = list(
            pool.map(
                lambda _: case.call(base_url=base_url, headers=headers, timeout=60),
                range(RACE_COPIES),
            )
        )
    for copy in copies:
        SEEN[(role, operation)][copy.status_code] += 1
        assert copy.status_code < 500, (
            f"{RACE_COPIES} x {case.method} {case.formatted_path} at once as {role}: "
            f"{copy.status_code}\n{copy.text[:2000]}\n{case.as_curl_command(headers=headers)}"
        )


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
