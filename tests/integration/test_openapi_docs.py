"""The OpenAPI docs work offline: Swagger UI loads nothing but what the app serves
itself (from the openapi-ui-bundles package), and each of those files is there.
tests/browser/test_openapi_docs.py renders it in chromium."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

DOCS = ("/schema", "/schema/swagger")


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"] or "")


def assets_of(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


async def test_the_docs_load_only_assets_of_this_site_and_each_is_served(api):
    for path in DOCS:
        page = await api.get(path)
        assert page.status_code == 200, path
        assert "cdn." not in page.text and "fonts.googleapis" not in page.text, path
        urls = assets_of(page.text)
        assert any(".js" in url for url in urls), f"{path} loads no script: {urls}"
        for url in urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{path} loads {url} from elsewhere"
            assert parts.path.startswith("/schema/assets/"), url
            asset = await api.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 100, url
            assert "max-age" in asset.headers.get("cache-control", ""), url


async def test_swagger_ui_gets_its_script_preset_and_stylesheet(api):
    swagger = assets_of((await api.get("/schema/swagger")).text)
    assert {urlsplit(u).path.rsplit("/", 1)[1] for u in swagger} >= {
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    }
    script = await api.get(next(u for u in swagger if "swagger-ui-bundle.js" in u))
    assert script.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    css = await api.get(next(u for u in swagger if u.split("?")[0].endswith(".css")))
    assert css.headers["content-type"].startswith("text/css")


async def test_no_docs_ui_that_loads_from_the_internet_is_served(api):
    for path in ("/schema/scalar", "/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        assert (await api.get(path)).status_code == 404, path


async def test_an_unknown_asset_is_a_404_not_a_page(api):
    response = await api.get("/schema/assets/swagger-ui/nope.js")
    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("text/html")


async def test_each_operation_lists_the_refusals_of_its_guards(api):
    """A client reading the document learns who may call what: a city-only write says
    401 (signed out) and 403 (another role), a route for any account only 401, and a
    public read neither (service/http/openapi.py reads them off the guards)."""
    document = (await api.get("/schema/openapi.json")).json()
    create = document["paths"]["/api/challenges"]["post"]["responses"]
    assert {"401", "403"} <= set(create), sorted(create)
    mine = document["paths"]["/api/me/notifications"]["get"]["responses"]
    assert "401" in mine and "403" not in mine, sorted(mine)
    public = document["paths"]["/api/challenges/{challenge_id}"]["get"]["responses"]
    assert "401" not in public and "403" not in public, sorted(public)
