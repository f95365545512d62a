"""Security headers on every response: JSON, errors, unknown paths, the unsubscribe
page and the OpenAPI docs, whose scripts and styles from the CDN keep working."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.notifications.tokens import unsubscribe_token
from tests.actors import PASSWORD


def assert_protected(response, what: str) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("x-frame-options") == "DENY", what
    assert headers.get("referrer-policy") == "no-referrer", what
    policy = csp(response)
    assert policy.get("frame-ancestors") == ["'none'"], what


def csp(response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {d[0]: d[1:] for d in directives}


async def test_every_kind_of_response_carries_the_headers(api, actors, settings):
    resident = await actors.resident()
    token = unsubscribe_token(settings.signing_secret(), resident.id)
    responses = {
        "health": await api.get("/api/health"),
        "a list": await api.get("/api/challenges"),
        "unknown path": await api.get("/no/such/page"),
        "wrong method": await api.delete("/api/health"),
        "not signed in": await api.get("/api/me"),
        "bad input": await api.post("/api/auth/register", json={"email": "x"}),
        "missing record": await api.get("/api/challenges/999999"),
        "unsubscribe page": await api.get(f"/api/unsubscribe?token={token}"),
        "docs": await api.get("/schema/swagger"),
        "schema": await api.get("/schema/openapi.json"),
    }
    for what, response in responses.items():
        assert_protected(response, what)
    assert responses["unknown path"].status_code == 404
    assert responses["bad input"].status_code == 422


async def test_the_api_and_its_pages_may_run_no_script(api, actors, settings):
    resident = await actors.resident()
    token = unsubscribe_token(settings.signing_secret(), resident.id)
    page = await api.get(f"/api/unsubscribe?token={token}")
    policy = csp(page)
    assert policy["default-src"] == ["'none'"] and "script-src" not in policy
    assert policy["form-action"] == ["'self'"]
    # The page is styled by the pages' own stylesheet from /static ('self'); inline style
    # attributes stay allowed, as on the rest of the API.
    assert "'self'" in policy["style-src"] and "'unsafe-inline'" in policy["style-src"]
    stylesheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', page.text)
    assert stylesheet and (await api.get(stylesheet.group(1))).status_code == 200
    assert "<script" not in page.text
    assert csp(await api.get("/api/challenges"))["default-src"] == ["'none'"]


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []  # (directive, url)
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "script":
            if a.get("src"):
                self.found.append(("script-src", a["src"]))
            elif "data-url" not in a:
                self.inline_scripts += 1
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            self.found.append(("style-src" if "stylesheet" in rel else "img-src", a["href"]))


def allows(policy: dict[str, list[str]], directive: str, url: str, page_url: str) -> bool:
    sources = policy.get(directive, policy.get("default-src", []))
    target = urlsplit(urljoin(page_url, url))
    origin = f"{target.scheme}://{target.netloc}"
    if origin == f"{urlsplit(page_url).scheme}://{urlsplit(page_url).netloc}":
        return "'self'" in sources
    return any(
        source.rstrip("/") == origin or (source.endswith(":") and target.scheme + ":" == source)
        for source in sources
    )


async def test_the_docs_pages_may_load_what_they_need_and_nothing_else(api):
    for path in ("/schema/swagger", "/schema"):
        response = await api.get(path)
        assert response.status_code == 200, path
        policy = csp(response)
        parser = _Resources()
        parser.feed(response.text)
        assert parser.found, path
        page_url = f"http://testserver.local{path}"
        for directive, url in parser.found:
            assert allows(policy, directive, url, page_url), f"{path}: {directive} {url}"
        if parser.inline_scripts:
            assert "'unsafe-inline'" in policy["script-src"], path
        # Only what the docs load is allowed: no arbitrary origin, no plugins, no framing.
        assert "*" not in " ".join(sum(policy.values(), []))
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy.get("object-src", policy["default-src"]) != ["*"]
    # Their scripts and styles are served by the app itself (service/openapi_docs.py).
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "http" not in _header(response)


def _header(response) -> str:
    return response.headers["content-security-policy"]


async def test_hsts_only_in_production_mode(api, settings):
    assert "strict-transport-security" not in (await api.get("/api/health")).headers
    production = settings.model_copy(
        update={"mode": "production", "public_url": "https://proeftuin.city.example"}
    )
    async with AsyncTestClient(app=create_app(production)) as https_api:
        response = await https_api.get("/api/health")
        missing = await https_api.get("/no/such/page")
    for each in (response, missing):
        hsts = each.headers["strict-transport-security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


async def test_tokens_and_private_answers_are_not_cached(api, actors):
    resident = await actors.resident()
    login = await api.post("/api/auth/login", json={"email": resident.email, "password": PASSWORD})
    assert login.headers["cache-control"] == "no-store"
    me = await api.get("/api/me", headers=resident.headers)
    assert me.headers["cache-control"] == "no-store"
