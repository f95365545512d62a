"""The OpenAPI docs in a real browser with every other origin cut off, as on a machine
without internet: Swagger UI renders the API's operations from the app's own files
(service/openapi_docs.py), with no console error and no blocked load (a content
security policy violation is reported on the console)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.security.served import ThreadedApi

OPERATIONS = 40  # the API has more than this many; a blank or half-loaded page has none


async def open_offline(chromium: Any, base_url: str, path: str) -> tuple[Any, Any, list[str]]:
    """A page at ``path`` whose requests to anywhere but the app are refused; the list
    collects console errors, page errors, refused and failed requests."""
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    async def only_the_app(route: Any) -> None:
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            problems.append(f"tried to load {url}")
            await route.abort()

    await context.route("**/*", only_the_app)
    page = await context.new_page()
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    response = await page.goto(base_url + path, wait_until="networkidle")
    assert response is not None and response.status == 200, path
    return context, page, problems


async def test_swagger_ui_renders_the_operations_offline(
    chromium: Any, served_without_temporal: ThreadedApi, screenshots: Path
) -> None:
    context, page, problems = await open_offline(
        chromium, served_without_temporal.base_url, "/schema/swagger"
    )
    try:
        await page.wait_for_selector(".opblock", timeout=20_000)
        operations = await page.locator(".opblock").count()
        assert operations >= OPERATIONS, operations
        assert await page.locator(".opblock-summary-path", has_text="/api/challenges").count()
        assert "Proeftuin" in await page.locator(".info .title").inner_text()
        await page.screenshot(path=str(screenshots / "openapi-swagger.png"))
        assert problems == []
    finally:
        await context.close()
