"""English and Dutch: the switch, the cookie that remembers it, Accept-Language on a
first visit, dates in the city's time zone, and catalogues that cover every message."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir

from service.web.i18n import LANGUAGE_COOKIE, Formats, _from_accept_language, read_catalog
from tests.builders import open_challenge

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "service" / "web"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "flash": (2,)}


def lang_of(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


async def test_the_switch_is_remembered(api):
    dutch = await api.get("/", params={"lang": "nl"})
    assert lang_of(dutch.text) == "nl"
    assert "Uitdagingen van de gemeente" in dutch.text
    assert dutch.cookies[LANGUAGE_COOKIE] == "nl"
    assert "httponly" in dutch.headers["set-cookie"].lower()
    again = await api.get("/login")  # no ?lang: the cookie decides
    assert lang_of(again.text) == "nl" and "Inloggen" in again.text
    switched = await api.get("/login", params={"lang": "en"})
    assert lang_of(switched.text) == "en" and "Sign in" in switched.text
    assert 'href="/login?lang=nl" lang="nl" hreflang="nl"' in switched.text


async def test_a_first_visit_follows_accept_language(api):
    cases = {
        "nl-NL,nl;q=0.9,en;q=0.8": "nl",
        "en-GB,en;q=0.9,nl;q=0.8": "en",
        "fr-FR,fr;q=0.9,nl;q=0.5": "nl",
        "fr": "en",
        "": "en",
    }
    for header, expected in cases.items():
        api.cookies.clear()
        page = await api.get("/", headers={"accept-language": header})
        assert lang_of(page.text) == expected, header
        assert "accept-language" in page.headers["vary"].lower()
    assert _from_accept_language("en;q=0, nl;q=0.1") == "nl"
    assert _from_accept_language("nl;q=bogus, en") == "en"


async def test_a_challenge_page_in_dutch(api, actors, worker):
    city = await actors.city()
    challenge = await open_challenge(api, city)
    page = await api.get(f"/challenges/{challenge['id']}", params={"lang": "nl"})
    assert "Waar deze uitdaging staat" in page.text and "Open voor voorstellen" in page.text
    assert "Zo worden voorstellen beoordeeld" in page.text


def test_dates_in_the_city_time_zone_and_the_page_language():
    formats = Formats("Europe/Amsterdam")
    moment = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)  # already 1 February in Amsterdam
    assert formats.moment(moment, "nl") == "1 februari 2027, 00:30"
    assert formats.moment(moment, "en") == "1 February 2027, 00:30"
    assert formats.day(moment, "nl") == "1 februari 2027"
    assert formats.euros(50000, "nl") == "€\u00a050.000"  # a space that does not break
    assert formats.euros(50000, "en") == "€50,000"
    assert formats.euros(1234.5, "nl") == "€\u00a01.234,50"


def test_every_message_has_its_dutch():
    """The catalogue is up to date with the templates and code, and translated: run the
    commands in service/web/translations/README.md when this fails."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = {
        message[2]
        for message in extract_from_dir(
            str(WEB), method_map, options_map=options, keywords=KEYWORDS
        )
    }
    catalog = read_catalog("nl")
    translated = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
    missing = []
    for message in found:
        key = message[0] if isinstance(message, tuple) and len(message) == 1 else message
        string = translated.get(key)
        if not string or (isinstance(string, tuple) and not all(string)):
            missing.append(key)
    assert not missing, f"no Dutch for: {sorted(map(str, missing))}"
