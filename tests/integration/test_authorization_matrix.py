"""Every endpoint in the OpenAPI schema, called by every role and anonymously, against
the table in tests/authorization.py."""

from __future__ import annotations

import re

from tests.authorization import EXPECTED

MISSING_ID = "999999"


def endpoints(schema: dict) -> set[str]:
    found = set()
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.add(f"{method.upper()} {path}")
    return found


async def test_every_endpoint_has_a_reviewed_row(api):
    schema = (await api.get("/schema/openapi.json")).json()
    assert endpoints(schema) == set(EXPECTED)


async def test_each_role_is_allowed_or_refused_as_the_table_says(api, actors):
    callers = await actors.everyone()
    mismatches = []
    for endpoint, allowed in sorted(EXPECTED.items()):
        method, template = endpoint.split(" ", 1)
        path = re.sub(r"\{[^}]+\}", MISSING_ID, template)
        for role, account in callers.items():
            headers = account.headers if account else {}
            kwargs = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
            response = await api.request(method, path, headers=headers, **kwargs)
            refused = response.status_code in (401, 403)
            if role in allowed and refused:
                mismatches.append(f"{endpoint} as {role}: refused with {response.status_code}")
            if role not in allowed:
                expected = 401 if role == "anonymous" else 403
                if response.status_code != expected:
                    mismatches.append(
                        f"{endpoint} as {role}: {response.status_code}, expected {expected}"
                    )
            assert response.status_code < 500, f"{endpoint} as {role}: {response.text}"
    assert mismatches == []
