"""``/metrics``: scraped before and after a small lifecycle, every named series is there
and the ones the lifecycle touches have moved; in production mode it is not public."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from service.app import create_app
from tests.builders import open_challenge
from tests.feedback import give_input

TOKEN = "a-scraper-token-of-some-length"


async def scrape(api, **headers: str) -> dict[tuple[str, frozenset], float]:
    response = await api.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    wanted = frozenset(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def names(samples) -> set[str]:
    return {name for name, _ in samples}


async def test_every_named_series_is_there_and_moves_over_a_lifecycle(api, actors, worker):
    city, resident = await actors.city(), await actors.resident()
    before = await scrape(api)
    challenge = await open_challenge(api, city)
    await give_input(api, resident, challenge["id"])
    assert (await api.get(f"/api/challenges/{challenge['id']}")).status_code == 200
    after = await scrape(api)

    for name in [
        "proeftuin_requests_total", "proeftuin_request_duration_seconds_count",
        "proeftuin_challenges", "proeftuin_pilots", "proeftuin_inputs_awaiting_answer",
        "proeftuin_inputs_overdue", "proeftuin_mail_outbox_pending",
        "proeftuin_db_pool_in_use", "proeftuin_db_pool_idle", "proeftuin_db_pool_overflow",
    ]:  # fmt: skip
        assert name in names(after), name
    read = {"path": "/api/challenges/{challenge_id}", "method": "GET", "status_code": "200"}
    assert value(after, "proeftuin_requests_total", **read) > value(
        before, "proeftuin_requests_total", **read
    ), sorted(ls for n, ls in after if n == "proeftuin_requests_total")
    assert value(after, "proeftuin_request_duration_seconds_count", **read) > value(
        before, "proeftuin_request_duration_seconds_count", **read
    )
    assert value(after, "proeftuin_challenges", phase="open") == (
        value(before, "proeftuin_challenges", phase="open") + 1
    )
    assert value(after, "proeftuin_challenges", phase="draft") == 0  # published since
    assert value(after, "proeftuin_pilots", status="running") == 0  # there, at zero
    assert value(after, "proeftuin_inputs_awaiting_answer") == 1
    assert value(after, "proeftuin_inputs_overdue") == 0
    assert value(after, "proeftuin_mail_outbox_pending") > value(
        before, "proeftuin_mail_outbox_pending"
    )  # the city is mailed about the input


async def test_in_production_mode_metrics_are_not_public(settings):
    production = settings.model_copy(update={"mode": "production"})
    async with AsyncTestClient(app=create_app(production)) as api:
        assert (await api.get("/metrics")).status_code == 404  # no token: nobody
    with_token = production.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    async with AsyncTestClient(app=create_app(with_token)) as api:
        assert (await api.get("/metrics")).status_code == 404
        wrong = await api.get("/metrics", headers={"Authorization": "Bearer not-it"})
        assert wrong.status_code == 404
        samples = await scrape(api, Authorization=f"Bearer {TOKEN}")
    assert "proeftuin_challenges" in names(samples)
