"""How fast the API takes the high-volume writes: proposals, scores and resident input.

Starts `proeftuin up` (embedded Temporal) on a fresh database, opens a challenge and
drives concurrent clients at it, then prints requests per second and latencies for
each kind of write, and the ratio to the stack's measured baseline (a naive
insert-and-commit Litestar handler on PostgreSQL: 1,600 req/s, STACK_NOTES.md).

    .venv/bin/python bench/writes.py                       # SQLite in a temp folder
    .venv/bin/python bench/writes.py --database-url postgresql://postgres@127.0.0.1/bench
    .venv/bin/python bench/writes.py --requests 3000 --concurrency 32

Every request also writes its audit entries (the request, and each change), so a
"write" here is the whole of what the service does for it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

BASELINE_INSERT_RPS = 1600
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


async def wait_healthy(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        if process.returncode is not None:
            raise SystemExit("proeftuin up exited; see its log")
        try:
            if (await client.get("/api/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("proeftuin up did not become healthy")


async def token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def register(client: httpx.AsyncClient, role: str, n: int) -> dict[str, str]:
    email = f"{role}{n}@bench.example.org"
    body = {"email": email, "password": PASSWORD, "role": role, "display_name": email}
    await client.post("/api/auth/register", json=body)
    return await token(client, email)


async def run(label: str, requests: list, concurrency: int) -> None:
    """``requests``: zero-argument coroutine functions; each must answer 2xx."""
    latencies: list[float] = []
    failures = 0
    queue = list(requests)

    async def client_loop() -> None:
        nonlocal failures
        while queue:
            send = queue.pop()
            started = time.perf_counter()
            response = await send()
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 300:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    rps = len(latencies) / elapsed
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<22} {len(latencies):>6} req  {rps:>8.0f} req/s  "
        f"p50 {quantiles[49] * 1000:>6.1f} ms  p99 {quantiles[98] * 1000:>6.1f} ms  "
        f"failed {failures}  ratio to baseline insert {rps / BASELINE_INSERT_RPS:.2f}"
    )


async def main(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="proeftuin-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "PROEFTUIN_DATA_DIR": str(data_dir),
        "PROEFTUIN_HTTP_PORT": str(port),
        "PROEFTUIN_TEMPORAL_PORT": str(free_port()),
        "PROEFTUIN_TEMPORAL_UI_PORT": str(free_port()),
        "PROEFTUIN_LOG_LEVEL": "warning",
        "PROEFTUIN_INPUT_LIMIT_PER_HOUR": "1000000",
    }
    if args.database_url:
        env["PROEFTUIN_DATABASE_URL"] = args.database_url
    cli("users", "create", "--email", "city@bench.example.org", "--password", PASSWORD,
        "--role", "city", env=env)  # fmt: skip
    log = (data_dir / "up.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", "up", env=env, stdout=log, stderr=subprocess.STDOUT
    )
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                 limits=limits) as client:  # fmt: skip
        try:
            await wait_healthy(client, process)
            city = await token(client, "city@bench.example.org")
            now = datetime.now(UTC)
            body = {
                "title": "Bench challenge", "problem_statement": "p", "test_bed": "t",
                "pilot_budget_cap_eur": 100000, "max_pilots": 1,
                "criteria": [{"name": "Impact", "weight": 100}],
                "proposals_close_at": (now + timedelta(days=1)).isoformat(),
                "review_deadline": (now + timedelta(days=2)).isoformat(),
            }  # fmt: skip
            challenge = (await client.post("/api/challenges", json=body, headers=city)).json()
            await client.post(f"/api/challenges/{challenge['id']}/publish", headers=city)
            startups = [await register(client, "startup", n) for n in range(args.concurrency)]
            residents = [await register(client, "resident", n) for n in range(args.concurrency)]
            print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; "
                  f"{args.concurrency} concurrent clients")  # fmt: skip

            def proposal(n: int):
                payload = {"title": f"Proposal {n}", "summary": "s", "budget_eur": 1000}
                url = f"/api/challenges/{challenge['id']}/proposals"
                return lambda: client.post(url, json=payload, headers=startups[n % len(startups)])

            def resident_input(n: int):
                url = f"/api/challenges/{challenge['id']}/inputs"
                payload = {"body": f"Idea {n}"}
                return lambda: client.post(url, json=payload, headers=residents[n % len(residents)])

            def reads(n: int):
                return lambda: client.get(f"/api/challenges/{challenge['id']}")

            await run("proposal submissions", [proposal(n) for n in range(args.requests)],
                      args.concurrency)  # fmt: skip
            await run("resident input", [resident_input(n) for n in range(args.requests)],
                      args.concurrency)  # fmt: skip
            await run("challenge reads", [reads(n) for n in range(args.requests)],
                      args.concurrency)  # fmt: skip
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=60)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
