"""The city's proposal list after the selection costs the same number of queries for a
page of two as for a page of four: the startups' names and every evaluation (the
scores, the ranking) are read once per page, not once per proposal."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.builders import challenge_in_piloting


@contextmanager
def counted(api):
    engine = api.app.state.session_factory.kw["bind"].sync_engine
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


async def test_a_longer_page_of_evaluated_proposals_asks_no_more_queries(api, actors, temporal):
    city = await actors.city()
    startups = [await actors.startup(f"Startup {n} BV") for n in range(4)]
    challenge, ids, _, _ = await challenge_in_piloting(
        api, city, startups, [await actors.evaluator()], temporal, selected=1
    )
    url = f"/api/challenges/{challenge['id']}/proposals"
    with counted(api) as two:
        short = await api.get(url, params={"limit": 2}, headers=city.headers)
    with counted(api) as four:
        long = await api.get(url, params={"limit": 4}, headers=city.headers)
    assert short.status_code == long.status_code == 200
    assert len(short.json()["items"]) == 2 and len(long.json()["items"]) == 4
    assert len(four) == len(two), (len(two), len(four))
    # ... and each still says who wrote it and how it ranked.
    ranked = {p["id"]: p for p in long.json()["items"]}
    assert {p["startup_name"] for p in ranked.values()} == {s.display_name for s in startups}
    assert ranked[ids[0]]["evaluation"]["outcome"] == "selected"
    assert sorted(p["evaluation"]["rank"] for p in ranked.values()) == [1, 2, 3, 4]
    assert {p["evaluation"]["ranked_count"] for p in ranked.values()} == {4}
