"""Hostile requests, written out rather than generated: across every operation of the
OpenAPI schema, the inputs that once got a 500 (a body nested 10,000 deep, a cursor
that is not ours, a number past the database's integers in the path or the query, a
time whose UTC form leaves the calendar, an unsubscribe link or a token's subject that
is not an id, odd headers) and the same write sent many times at once.

Each gets a 4xx that names the field and the reason, never a 5xx. Over real HTTP (the
app served by uvicorn, with the seeded world of tests/security/world.py), anonymously
and as a role allowed to call the operation. The checks of each test are collected and
reported together, so one run shows every operation that fails.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from service.app import create_app
from service.settings import Settings
from tests.authorization import EXPECTED
from tests.conftest import TEST_JWT_SECRET
from tests.security.served import ThreadedApi
from tests.security.world import World

METHODS = ("get", "post", "put", "patch", "delete")
# Who calls an operation when any role may: the role with the most to reach.
ROLE_PREFERENCE = ("city", "startup", "evaluator", "resident", "anonymous")
# Signing up and in hash a password: slow, so only where the password matters.
TOKEN_BLIND = ("POST /api/auth/register", "POST /api/auth/login")
# Requests that end what others work on go last (as in the fuzzing).
ENDINGS = ("/cancel", "/withdraw", "/decline", "/decision", "/hide")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def role(self) -> str:
        """A role allowed to call it (tests/authorization.py)."""
        return next(r for r in ROLE_PREFERENCE if r in EXPECTED[self.key])

    @property
    def json_body(self) -> dict[str, Any] | None:
        """The schema of its JSON body, if it reads one."""
        content = self.spec.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")

    def params(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]


def _schema() -> dict[str, Any]:
    return create_app(Settings(jwt_secret=TEST_JWT_SECRET)).openapi_schema.to_schema()


SCHEMA = _schema()
OPERATIONS = sorted(
    (
        Operation(method.upper(), path, spec)
        for path, item in SCHEMA["paths"].items()
        for method, spec in item.items()
        if method in METHODS
    ),
    key=lambda op: op.path.endswith(ENDINGS),
)
JSON_OPERATIONS = [op for op in OPERATIONS if op.json_body is not None]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _kinds(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schema and, for a union (``X | None``), each of its members, resolved."""
    schema = _resolve(schema)
    yield schema
    for member in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _kinds(member)


def _is(schema: dict[str, Any], kind: str) -> bool:
    return any(s.get("type") == kind or kind in (s.get("type") or []) for s in _kinds(schema))


def datetime_fields(schema: dict[str, Any], at: tuple[str | int, ...] = ()) -> list[tuple]:
    """Where a body holds a time (``format: date-time``), as paths into it: a list's
    items are at index 0."""
    found: list[tuple] = []
    for kind in _kinds(schema):
        if kind.get("format") == "date-time":
            found.append(at)
        for name, sub in kind.get("properties", {}).items():
            found += datetime_fields(sub, (*at, name))
        if "items" in kind:
            found += datetime_fields(kind["items"], (*at, 0))
    return sorted(set(found), key=str)


def with_value(body: dict[str, Any], at: tuple, value: Any) -> dict[str, Any]:
    """A copy of ``body`` with ``value`` at ``at``, making the dicts and lists on the way."""
    body = copy.deepcopy(body)
    holder: Any = body
    for step, following in zip(at, at[1:], strict=False):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            if not holder:
                holder.append(empty)
            holder = holder[0]
        else:
            holder = holder.setdefault(step, empty)
    if isinstance(at[-1], int):
        holder[:1] = [value]
    else:
        holder[at[-1]] = value
    return body


def fill(path: str, world: World, **values: Any) -> str:
    """``path`` with the seeded world's ids (or ``values``) in its parameters."""
    for name, known in world.ids.items():
        path = path.replace("{" + name + "}", str(values.get(name, known[0])))
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def error_keys(response: httpx.Response) -> set[str]:
    try:
        extra = response.json().get("extra")
    except ValueError:
        return set()
    return (
        {e.get("key") for e in extra if isinstance(e, dict)} if isinstance(extra, list) else set()
    )


def b64(raw: str | bytes) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Findings(list[str]):
    """What went wrong across a test's requests, reported all at once."""

    def check(self, ok: bool, what: str, response: httpx.Response) -> None:
        if not ok:
            self.append(f"{what}: {response.status_code} {response.text[:300]}")

    def no_server_error(self, what: str, response: httpx.Response) -> None:
        self.check(response.status_code < 500, what, response)

    def assert_none(self) -> None:
        assert not self, f"{len(self)} bad answers:\n" + "\n".join(self)


@pytest.fixture(scope="module")
def client(served: ThreadedApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=60) as http:
        yield http


def _refused(role: str) -> set[int]:
    return {401} if role == "anonymous" else {403}


# -- a body nested too deeply ------------------------------------------------------------

DEEP = 10_000
DEEP_BODIES = {
    "10,000 [": b"[" * DEEP,
    "10,000 [ closed": b"[" * DEEP + b"]" * DEEP,
    "10,000 objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "a field 10,000 deep": b'{"title":' + b"[" * DEEP + b"]" * DEEP + b"}",
}
TOO_DEEP = {
    "status_code": 400,
    "detail": "request body: nested too deeply",
    "extra": [{"key": "body", "message": "nested too deeply", "source": "body"}],
}


def test_a_body_nested_too_deeply_is_a_400_on_every_json_operation(client, world):
    """msgspec gives up past Python's recursion limit with a RecursionError: a 400 naming
    the body, for every JSON body, signing up and in included; anonymous callers of what
    needs a role are refused first."""
    findings = Findings()
    for op in JSON_OPERATIONS:
        for role in dict.fromkeys(("anonymous", op.role)):
            allowed = role in EXPECTED[op.key]
            # The guard answers a refused role before the body is read: one body will do.
            bodies = DEEP_BODIES if allowed else dict(list(DEEP_BODIES.items())[:1])
            for name, body in bodies.items():
                response = client.request(
                    op.method,
                    fill(op.path, world),
                    content=body,
                    headers={**world.headers(role), "content-type": "application/json"},
                )
                if allowed:
                    ok = response.status_code == 400 and response.json() == TOO_DEEP
                else:
                    ok = response.status_code in _refused(role)
                findings.check(ok, f"{op.key} as {role}, {name}", response)
    findings.assert_none()


# -- cursors ------------------------------------------------------------------------------

BAD_CURSORS = {
    "a huge number": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
    "past 32 bits": b64(str(2**31)),
    "past 64 bits": b64(str(2**64)),
    "negative": b64("-5"),
    "zero": b64("0"),
    "leading zero": b64("012"),
    "spaces": b64(" 12 "),
    "underscores": b64("1_000"),
    "other scripts' digits": b64("٣"),
    "superscript digit": b64("²"),
    "not text": b64(b"\xff\xfe"),
    "not base64": "!!!!",
    "unicode": "²",
    "NUL": "\x00",
    "too long": "MTI" * 2000,
    "bad padding": "MQ===",
}


def test_a_cursor_that_is_not_ours_is_a_422_naming_cursor_on_every_list(client, world):
    lists = [op for op in OPERATIONS if any(p["name"] == "cursor" for p in op.params("query"))]
    assert len(lists) >= 9, [op.key for op in lists]
    findings = Findings()
    for op in lists:
        headers = world.headers(op.role)
        for name, cursor in BAD_CURSORS.items():
            response = client.get(fill(op.path, world), params={"cursor": cursor}, headers=headers)
            ok = response.status_code == 422 and error_keys(response) == {"cursor"}
            findings.check(ok, f"{op.key} as {op.role}, cursor {name}", response)
        # A cursor this API hands out still works.
        response = client.get(fill(op.path, world), params={"cursor": b64("1")}, headers=headers)
        findings.check(response.status_code == 200, f"{op.key}, a good cursor", response)
    findings.assert_none()

    # The one in the report: as a raw query string.
    response = client.get("/api/challenges?cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ")
    assert response.status_code == 422, response.text
    assert response.json()["extra"] == [
        {"key": "cursor", "message": "not a cursor this API handed out", "source": "query"}
    ]


def test_paging_with_the_cursors_handed_out_still_reaches_every_record(client, world):
    seen: list[int] = []
    url: str | None = "/api/challenges?limit=1"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next_cursor"] and f"/api/challenges?limit=1&cursor={page['next_cursor']}"
    assert len(seen) >= 3 and seen == sorted(seen, reverse=True), seen


# -- numbers in the query -------------------------------------------------------------

BAD_NUMBERS = {
    "past 64 bits": str(2**63),
    "past 32 bits": str(2**31),
    "below 64 bits": str(-(2**63) - 1),
    "5,000 digits": "9" * 5000,
    "superscript digit": "²",
    "other scripts' digits": "٣",
    "a float": "1.5",
    "NUL": "\x00",
}


def test_numbers_in_the_query_past_the_database_are_a_422_naming_them(client, world):
    """Every integer query parameter of the schema (``actor_id``, ``pilot_id``,
    ``limit``...): past the database's integers, or not an integer, it is a 422 naming
    the parameter, never a database error."""
    findings = Findings()
    checked = set()
    for op in OPERATIONS:
        for param in op.params("query"):
            if not _is(param["schema"], "integer"):
                continue
            checked.add(f"{op.key}?{param['name']}")
            for name, value in BAD_NUMBERS.items():
                response = client.get(
                    fill(op.path, world),
                    params={param["name"]: value},
                    headers=world.headers(op.role),
                )
                ok = response.status_code == 422 and param["name"] in error_keys(response)
                findings.check(ok, f"{op.key}?{param['name']}={name}", response)
    assert "GET /api/audit?actor_id" in checked, checked
    findings.assert_none()

    city = world.headers("city")
    response = client.get("/api/audit?actor_id=9223372036854775808", headers=city)
    assert response.status_code == 422, response.text
    assert error_keys(response) == {"actor_id"}
    # In range, it filters as before.
    assert client.get("/api/audit?actor_id=2147483647", headers=city).json()["items"] == []


def test_text_in_the_query_is_plain_text(client, world):
    """Text filters compared with text columns: PostgreSQL refuses NUL in text."""
    findings = Findings()
    city = world.headers("city")
    for name in ("resource_type", "resource_id", "request_id"):
        for value in ("\x00", "a\x00b", "\x1b[2J"):
            response = client.get("/api/audit", params={name: value}, headers=city)
            ok = response.status_code == 422 and error_keys(response) == {name}
            findings.check(ok, f"/api/audit?{name}={value!r}", response)
        for value in ("²", "\u202e", "x" * 51, "é" * 10):
            response = client.get("/api/audit", params={name: value}, headers=city)
            findings.check(response.status_code in (200, 422), f"{name}={value[:5]!r}", response)
    findings.assert_none()


# -- times whose UTC form leaves the calendar --------------------------------------------

OFF_THE_CALENDAR = {
    "after 9999 in UTC": "9999-12-31T23:59:59-14:00",
    "before year 1 in UTC": "0001-01-01T00:00:00+14:00",
}


def test_a_time_whose_utc_form_leaves_the_calendar_is_a_422_naming_it(client, world):
    """Every time in every request body (``Moment`` in schemas/common.py), and the audit
    log's ``since``."""
    findings = Findings()
    checked = []
    for op in JSON_OPERATIONS:
        valid = world.bodies.get(op.key, {})
        for at in datetime_fields(op.json_body or {}):
            field = ".".join(str(step) for step in at)
            checked.append(f"{op.key} {field}")
            for name, value in OFF_THE_CALENDAR.items():
                response = client.request(
                    op.method,
                    fill(op.path, world),
                    json=with_value(valid, at, value),
                    headers=world.headers(op.role),
                )
                ok = response.status_code == 422 and field in error_keys(response)
                findings.check(ok, f"{op.key} as {op.role}, {field} {name}", response)
    assert len(checked) >= 10, checked
    assert "POST /api/challenges review_deadline" in checked
    assert "POST /api/pilots/{pilot_id}/agreement milestones.0.due_at" in checked
    for name, value in OFF_THE_CALENDAR.items():
        response = client.get("/api/audit", params={"since": value}, headers=world.headers("city"))
        ok = response.status_code == 422 and error_keys(response) == {"since"}
        findings.check(ok, f"GET /api/audit?since= {name}", response)
    findings.assert_none()

    # The edges of the calendar themselves are times like any other.
    edge = client.get(
        "/api/audit", params={"since": "9999-12-31T23:59:59Z"}, headers=world.headers("city")
    )
    assert edge.status_code == 200 and edge.json()["items"] == [], edge.text


# -- links and tokens that do not name an account ----------------------------------------

BAD_LINK_TOKENS = {
    "superscript digit": "².x",
    "other scripts' digits": "٣.x",
    "past 64 bits": f"{2**64}.x",
    "past 32 bits": f"{2**31}.x",
    "5,000 digits": "9" * 5000 + ".x",
    "zero": "0.x",
    "negative": "-1.x",
    "no signature": "1.",
    "unicode signature": "1.é",
    "NUL": "1.\x00",
    "empty": "",
    "a dot": ".",
}


def test_an_unsubscribe_link_that_is_not_ours_is_a_404_naming_the_token(client, world):
    """Not a 500 (int('²') fails, compare_digest refuses non-ASCII text): the answer a
    link that is no longer valid gets, naming ``token``."""
    findings = Findings()
    raw = client.get("/api/unsubscribe?token=%C2%B2.x")
    findings.check(raw.status_code == 404 and error_keys(raw) == {"token"}, "%C2%B2.x", raw)
    for name, token in BAD_LINK_TOKENS.items():
        for method in ("GET", "POST"):
            response = client.request(method, "/api/unsubscribe", params={"token": token})
            ok = response.status_code == 404 and error_keys(response) == {"token"}
            findings.check(ok, f"{method} /api/unsubscribe, token {name}", response)
    findings.assert_none()
    # The world's own link still works.
    good = client.get("/api/unsubscribe", params={"token": world.unsubscribe_token})
    assert good.status_code == 200, good.text


def _signed(sub: str, extras: dict[str, Any] | None = None) -> dict[str, str]:
    now = datetime.now(UTC)
    claims = {
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
        **({"extras": extras} if extras else {}),
    }
    return {"Authorization": f"Bearer {jwt.encode(claims, TEST_JWT_SECRET, algorithm='HS256')}"}


BAD_SUBJECTS = {
    "past 64 bits": str(2**64),
    "past 63 bits": str(2**63),
    "past 32 bits": str(2**31),
    "5,000 digits": "9" * 5000,
    "superscript digit": "²",
    "other scripts' digits": "٣",
    "zero": "0",
    "negative": "-1",
    "spaces": " 1 ",
    "underscores": "1_0",
    "not a number": "city",
}


def test_a_signed_token_whose_subject_is_not_an_id_is_a_401(client, world):
    """Signed with our secret (as only a leaked secret or a bug would make it), its
    subject still never reaches the database unless it is an id the database holds."""
    findings = Findings()
    for name, sub in BAD_SUBJECTS.items():
        for url in ("/api/me", "/api/challenges"):
            response = client.get(url, headers=_signed(sub))
            findings.check(response.status_code == 401, f"GET {url}, sub {name}", response)
    findings.assert_none()
    headers = world.headers("resident")
    me = client.get("/api/me", headers=headers).json()
    token = headers["Authorization"].removeprefix("Bearer ")
    extras = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])["extras"]
    assert client.get("/api/me", headers=_signed(str(me["id"]), extras)).status_code == 200
    # Without the key of the account's password (service/auth/links.py), a real id is
    # refused too: a token made before the password changed.
    assert client.get("/api/me", headers=_signed(str(me["id"]))).status_code == 401


# -- the same request sent many times at once ------------------------------------------

TIMES = 8
TIMES_HASHING = 4  # sign-up and sign-in hash a password each: slow on two cores


def at_once(
    base_url: str, times: int, method: str, url: str, **kwargs: Any
) -> list[httpx.Response]:
    """``times`` identical requests, from a thread each on its own connection, let go
    together (the connections are opened first)."""
    ready = threading.Barrier(times)

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            http.get("/api/health")
            ready.wait()
            return http.request(method, url, **kwargs)

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(send, range(times)))


def _register(client: httpx.Client, role: str, email: str) -> dict[str, str]:
    body = {"email": email, "password": "a long enough password", "role": role,
            "display_name": email.split("@")[0]}  # fmt: skip
    assert client.post("/api/auth/register", json=body).status_code == 201
    login = client.post("/api/auth/login", json={"email": email, "password": body["password"]})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@dataclass(frozen=True)
class Write:
    times: int
    method: str
    url: str
    kwargs: dict[str, Any]


@pytest.fixture(scope="module")
def writes(client: httpx.Client, world: World) -> dict[str, Write]:
    """Writes a client may well send twice at once (a double click, a retry), each on
    records of the world that let it succeed once: a new startup that has not proposed
    yet, a new resident that follows nothing yet, input of someone else."""
    city, resident = world.headers("city"), world.headers("resident")
    opened = client.get("/api/challenges?phase=open").json()["items"][0]["id"]
    draft = client.get("/api/challenges?phase=draft", headers=city).json()["items"][0]["id"]
    newcomer = _register(client, "startup", "newcomer.startup@example.org")
    fan = _register(client, "resident", "newcomer.resident@example.org")
    given = client.post(
        f"/api/challenges/{opened}/inputs", json={"body": "Shade, please."}, headers=resident
    ).json()["id"]
    sign_up = {"email": "twice.at.once@example.org", "password": "a long enough password",
               "role": "resident", "display_name": "Twice"}  # fmt: skip
    return {
        "sign-up": Write(TIMES_HASHING, "POST", "/api/auth/register", {"json": sign_up}),
        "sign-in": Write(
            TIMES_HASHING, "POST", "/api/auth/login", {"json": world.bodies["POST /api/auth/login"]}
        ),
        "a challenge": Write(
            TIMES, "POST", "/api/challenges",
            {"json": world.bodies["POST /api/challenges"], "headers": city},
        ),
        "a publish": Write(TIMES, "POST", f"/api/challenges/{draft}/publish", {"headers": city}),
        "a proposal": Write(
            TIMES, "POST", f"/api/challenges/{opened}/proposals",
            {"json": world.bodies["POST /api/challenges/{challenge_id}/proposals"],
             "headers": newcomer},
        ),
        "a question": Write(
            TIMES, "POST", f"/api/challenges/{opened}/questions",
            {"json": {"body": "Twice?"}, "headers": fan},
        ),
        "a question with one Idempotency-Key": Write(
            TIMES, "POST", f"/api/challenges/{opened}/questions",
            {"json": {"body": "Once?"}, "headers": {**fan, "Idempotency-Key": "same-key-1"}},
        ),
        "input": Write(
            TIMES, "POST", f"/api/challenges/{opened}/inputs",
            {"json": {"body": "Once, please."}, "headers": fan},
        ),
        "the e-mail preference": Write(
            TIMES, "PUT", "/api/me/email-preference",
            {"json": {"email_preference": "daily"}, "headers": fan},
        ),
        "read all": Write(TIMES, "POST", "/api/me/notifications/read-all", {"headers": resident}),
        "a follow": Write(TIMES, "POST", f"/api/challenges/{opened}/follow", {"headers": fan}),
        "an unfollow": Write(TIMES, "DELETE", f"/api/challenges/{opened}/follow", {"headers": fan}),
        "an endorsement": Write(TIMES, "POST", f"/api/inputs/{given}/endorse", {"headers": fan}),
        "a report": Write(
            TIMES, "POST", f"/api/inputs/{given}/report",
            {"json": {"reason": "Spam"}, "headers": fan},
        ),
        "a city response": Write(
            TIMES, "POST", f"/api/inputs/{given}/response",
            {"json": {"body": "Noted."}, "headers": city},
        ),
    }  # fmt: skip


WRITES = [
    "sign-up", "sign-in", "a challenge", "a publish", "a proposal", "a question",
    "a question with one Idempotency-Key", "input", "the e-mail preference", "read all",
    "a follow", "an unfollow", "an endorsement", "a report", "a city response",
]  # fmt: skip


@pytest.mark.parametrize("name", WRITES)
def test_the_same_write_sent_many_times_at_once_gets_no_server_error(name, writes, served):
    """A race between copies of one write (a unique row inserted twice, a row updated
    twice) must end in answers, not in the database's refusal."""
    write = writes[name]
    findings = Findings()
    for response in at_once(served.base_url, write.times, write.method, write.url, **write.kwargs):
        findings.no_server_error(f"{write.times} x {write.method} {write.url}", response)
    findings.assert_none()


# -- odd paths and headers ---------------------------------------------------------------

# Ids the database cannot hold, or not written as this API writes ids (the path's int
# converter takes what int() takes): 404, never the record that int() would read.
NOT_IDS = {
    "past 64 bits": str(2**63),
    "past 32 bits": str(2**31),
    "superscript digit": "²",
    "other scripts' digits": "٣",
    "an exponent": "1e3",
    "NUL": "%00",
    "a space": "%201",
    "a leading zero": "01",
}
# Ids the database can hold that name no record: whatever the operation answers for a
# missing record (a 404, or an empty list), never a 5xx.
NO_RECORDS = {"negative": "-1", "zero": "0"}


def test_odd_ids_in_every_path_get_no_server_error(client, world):
    """Every path parameter of every operation, with a valid body so that only the id is
    wrong: an id that is not one is a 4xx (a 404 from service/ids.py)."""
    findings = Findings()
    for op in OPERATIONS:
        for param in op.params("path"):
            for name, value in {**NOT_IDS, **NO_RECORDS}.items():
                response = client.request(
                    op.method,
                    fill(op.path, world, **{param["name"]: value}),
                    json=world.bodies.get(op.key) if op.json_body else None,
                    headers=world.headers(op.role),
                )
                ok = (
                    400 <= response.status_code < 500
                    if name in NOT_IDS
                    else response.status_code < 500
                )
                findings.check(ok, f"{op.key} with {param['name']} {name}", response)
    findings.assert_none()


def _odd_authorizations(token: str) -> dict[str, bytes | str]:
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    return {
        "8 KB long": "Bearer " + "a" * 8192,
        "without a scheme": token,
        "Basic": "Basic Zm9vOmJhcg==",
        "a bare Bearer": "Bearer",
        "two tokens": f"Bearer {token} {token}",
        "a lower-case scheme": f"bearer {token}",
        "an unsigned token": f"Bearer {unsigned}",
        "bytes past ASCII": b"Bearer \xc2\xb2\xff",
        "three dots": "Bearer ...",
    }


ODD_CONTENT_TYPES = {
    "text/plain": "text/plain",
    "a form": "application/x-www-form-urlencoded",
    "multipart without a boundary": "multipart/form-data",
    "JSON in UTF-16": "application/json; charset=utf-16",
    "MessagePack": "application/x-msgpack",
    "garbage": ";;;=;",
}
# Headers the app reads on the way (the audit log, the idempotency keys, i18n, content
# negotiation): odd together, then long together (under the server's 16 KB of headers).
ODD_OTHERS: dict[str, dict[str, bytes | str]] = {
    "odd": {
        "Accept-Language": b"*;q=abc, ;;, \xff-\xfe;q=-1",
        "Accept": "application/xml;q=nan, */*;q=-1, text/html;level",
        "X-Forwarded-For": "999.999.999.999, \u00b2, ::ffff:zz".encode(),
        "Idempotency-Key": b"\xc2\xb2" * 20,
        "User-Agent": b"\xff\xfe\xc2\xb2",
    },
    "long": {
        "Accept-Language": ", ".join(["nl-NL;q=0.9"] * 300),
        "X-Forwarded-For": ", ".join(["10.0.0.1"] * 200),
        "Idempotency-Key": "k" * 1000,
        "User-Agent": "u" * 4000,
    },
}


def rotation(choices: dict[str, Any], number: int, many: int) -> dict[str, Any]:
    """``many`` of ``choices`` for the ``number``-th operation, in turn: every choice
    meets many operations, each operation a few choices."""
    names = list(choices)
    picked = [names[(number * many + i) % len(names)] for i in range(min(many, len(names)))]
    return {name: choices[name] for name in picked}


def test_odd_headers_on_every_operation_get_no_server_error(client, world):
    """Odd Authorization headers (refused as a 401, or read as no token) and, on JSON
    bodies (a valid one), odd Content-Types: three of each on every operation, in turn;
    odd and long Accept-Language, Accept, X-Forwarded-For, Idempotency-Key and
    User-Agent on every operation, with a valid body and real ids. Sign-up and sign-in
    get an empty body: the headers are read all the same, and hashing a password a
    request is slow."""
    findings = Findings()
    authorizations = _odd_authorizations(world.headers("resident")["Authorization"].split()[1])
    for number, op in enumerate(OPERATIONS):
        url = fill(op.path, world)
        params = {"token": world.unsubscribe_token} if "unsubscribe" in op.path else None
        body = {} if op.key in TOKEN_BLIND else world.bodies.get(op.key)
        content = json.dumps(body).encode() if op.json_body and body is not None else None
        for name, value in rotation(authorizations, number, 3).items():
            response = client.request(
                op.method, url, params=params, headers={"Authorization": value}
            )
            findings.no_server_error(f"{op.key} with Authorization {name}", response)
        role = world.headers(op.role)
        for name, content_type in rotation(
            ODD_CONTENT_TYPES, number, 3 if op.json_body else 0
        ).items():
            response = client.request(
                op.method, url, params=params, content=content,
                headers={**role, "Content-Type": content_type},
            )  # fmt: skip
            findings.no_server_error(f"{op.key} as {op.role}, Content-Type {name}", response)
        for name, headers in ODD_OTHERS.items():
            response = client.request(
                op.method, url, params=params, content=content,
                headers={**role, "Content-Type": "application/json", **headers},
            )  # fmt: skip
            findings.no_server_error(f"{op.key} as {op.role} with {name} headers", response)
    findings.assert_none()


def test_headers_past_the_servers_limit_are_refused_before_the_app(served):
    """Past uvicorn's limit (h11: 16 KB of headers) the server answers or hangs up
    itself; either way no 5xx."""
    with httpx.Client(base_url=served.base_url, timeout=60) as http:
        try:
            response = http.get("/api/challenges", headers={"Accept-Language": "x" * 70_000})
        except httpx.RemoteProtocolError:
            return
    assert response.status_code < 500, response.text
