"""A browser that meets an error on a page gets a page: an unknown address, a record
that is not there, a method the address does not take, the database out of reach, or
a bug. Styled like every page, in the visitor's language, with a way home; the JSON
API keeps its JSON bodies."""

from __future__ import annotations

import re

import pytest

import service.web.public
from tests.web.pages import sign_in, text_of

STYLESHEET = re.compile(r'<link rel="stylesheet" href="/static/style\.css\?v=\w+">')


def assert_page(response, status: int, language: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'<html lang="{language}">' in html
    assert STYLESHEET.search(html), "the page is styled with the site's stylesheet"
    assert '<a href="/">' in html, "a link home"
    return text_of(html)


@pytest.mark.parametrize("path", ["/nope", "/challenges/999999", "/challenges/not-a-number"])
async def test_an_unknown_page_address_gets_a_page_not_found_in_the_visitors_language(api, path):
    dutch = await api.get(path, headers={"accept-language": "nl-NL,nl;q=0.9"})
    assert "Pagina niet gevonden" in assert_page(dutch, 404, "nl")

    english = await api.get(f"{path}?lang=en")
    text = assert_page(english, 404, "en")
    assert "Page not found" in text and "See all challenges" in text


async def test_the_remembered_language_holds_on_an_unknown_address_too(api):
    await api.get("/?lang=nl")  # remembered in a cookie
    assert "Pagina niet gevonden" in assert_page(await api.get("/nope/deeper"), 404, "nl")


async def test_the_api_keeps_json_errors(api):
    for path in ("/api/nope", "/api/challenges/999999"):
        response = await api.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["status_code"] == 404
    wrong_method = await api.delete("/api/challenges")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("application/json")


async def test_a_method_a_page_does_not_take_gets_a_page(api):
    text = assert_page(await api.delete("/login"), 405, "en")
    assert "Something stopped this" in text


async def test_a_wrong_role_gets_a_page_saying_whose_page_it_is(api, actors):
    resident = await actors.resident("Sanne")
    await sign_in(api, resident)
    text = assert_page(await api.get("/city?lang=nl"), 403, "nl")
    assert "Deze pagina is alleen voor deze accounts: Medewerker gemeente." in text
    assert "U bent ingelogd als Sanne (Bewoner)" in text
    html = (await api.get("/evaluator?lang=en")).text
    assert "This page is only for these accounts: Evaluator." in text_of(html)
    assert '<a href="/me">Go to your own page</a>' in html


async def test_a_bug_on_a_page_gets_a_page_that_tells_nothing_of_it(api, monkeypatch):
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service.web.public, "search_public", broken)
    response = await api.get("/", headers={"accept-language": "nl"})
    text = assert_page(response, 500, "nl")
    assert "Er ging iets mis aan onze kant" in text
    assert "secret internals" not in response.text


async def test_the_database_out_of_reach_gets_a_page_with_the_apis_status(api, monkeypatch):
    async def unreachable(*_: object, **__: object) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(service.web.public, "search_public", unreachable)
    response = await api.get("/")
    text = assert_page(response, 503, "en")
    assert "Proeftuin is busy" in text
    assert response.headers["retry-after"] == "5"
    assert (await api.get("/api/health")).status_code == 200  # only the patched read failed
