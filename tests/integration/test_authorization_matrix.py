"""Every endpoint in the OpenAPI schema, called by every role and anonymously, against
the table in tests/authorization.py; and called again on real records in every phase,
where no role, allowed or not, may get a 5xx."""

from __future__ import annotations

import re

from tests.authorization import EXPECTED, FORM_PAGES
from tests.security.world import build_world

MISSING_ID = "999999"
CSRF_COOKIE = "proeftuin_csrf"


def endpoints(schema: dict) -> set[str]:
    found = set()
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.add(f"{method.upper()} {path}")
    return found


async def call(api, endpoint: str, path: str, account) -> object:
    """``endpoint`` as ``account`` (None: anonymously), the way its client would: JSON
    for the API; a form after loading its page (which sets the CSRF cookie)."""
    method = endpoint.split(" ", 1)[0]
    headers = dict(account.headers) if account else {}
    kwargs: dict = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
    if endpoint in FORM_PAGES:
        await api.get(FORM_PAGES[endpoint])
        headers["x-csrftoken"] = api.cookies.get(CSRF_COOKIE, "")
        kwargs = {}
    return await api.request(method, path, headers=headers, **kwargs)


async def test_every_endpoint_has_a_reviewed_row(api):
    schema = (await api.get("/schema/openapi.json")).json()
    assert endpoints(schema) == set(EXPECTED)


async def test_each_role_is_allowed_or_refused_as_the_table_says(api, actors):
    callers = await actors.everyone()
    mismatches, server_errors = [], []
    for endpoint, allowed in sorted(EXPECTED.items()):
        template = endpoint.split(" ", 1)[1]
        path = re.sub(r"\{[^}]+\}", MISSING_ID, template)
        for role, account in callers.items():
            response = await call(api, endpoint, path, account)
            refused = response.status_code in (401, 403)
            if role in allowed and refused:
                mismatches.append(f"{endpoint} as {role}: refused with {response.status_code}")
            if role not in allowed:
                expected = 401 if role == "anonymous" else 403
                if response.status_code != expected:
                    mismatches.append(
                        f"{endpoint} as {role}: {response.status_code}, expected {expected}"
                    )
            not_ready = endpoint == "GET /api/ready" and response.status_code == 503
            if response.status_code >= 500 and not not_ready:  # ready: no Temporal here
                server_errors.append(f"{endpoint} as {role}: {response.text}")
    assert server_errors == []
    assert mismatches == []


async def test_no_role_gets_a_server_error_on_real_records(api, actors, temporal, settings):
    world = await build_world(api, actors, temporal, settings)
    server_errors, reached = [], set()
    for endpoint, allowed in sorted(EXPECTED.items()):
        template = endpoint.split(" ", 1)[1]
        names = re.findall(r"\{([^}]+)\}", template)
        for n in range(max((len(world.ids.get(name, [])) for name in names), default=1)):
            path = template
            for name in names:
                known = world.ids.get(name) or [int(MISSING_ID)]
                path = path.replace(f"{{{name}}}", str(known[n % len(known)]))
            if "unsubscribe" in path:
                path += f"?token={world.unsubscribe_token}"
            for role in sorted(allowed, reverse=True) + ["anonymous"]:
                response = await call(api, endpoint, path, world.accounts[role])
                if response.status_code >= 500:
                    server_errors.append(f"{endpoint} {path} as {role}: {response.text}")
                if role in allowed and response.status_code < 300:
                    reached.add(endpoint)
    assert server_errors == []
    # The records are real: most endpoints answered someone allowed with a success.
    assert len(reached) >= len(EXPECTED) // 2, sorted(set(EXPECTED) - reached)
