"""Requests anyone may send must not make the API hold memory in proportion to them
(issue 10): huge bodies sent with an ``Idempotency-Key`` (which used to be buffered
whole before the size cap applied), and sign-ups at once (each password hash takes
64 MiB). Against the app served over real HTTP in this process, whose memory the tests
watch (the server runs in a thread here, so its memory is the test process's)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
from litestar.testing import AsyncTestClient
from sqlmodel import select

from service.app import create_app
from service.auth.models import User
from tests.actors import PASSWORD
from tests.security.served import ThreadedApi

MIB = 1024 * 1024
REGISTER = "/api/auth/register"
# The app's own 413, as Litestar answers a handler's body past request_max_body_size.
TOO_LARGE = {"status_code": 413, "detail": "Request Entity Too Large"}


def rss() -> int:
    """This process's resident memory, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


class Peak:
    growth = 0
    """How far above its level at the start the resident memory went, in bytes."""


@contextmanager
def memory_peak() -> Iterator[Peak]:
    """Samples the resident memory every few milliseconds while the block runs: memory
    that is taken and given back in between (a password hash's) shows too."""
    peak = Peak()
    start = rss()
    done = threading.Event()

    def sample() -> None:
        highest = start
        while not done.is_set():
            highest = max(highest, rss())
            time.sleep(0.002)
        peak.growth = max(highest, rss()) - start

    sampler = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def registration(n: int | str) -> dict[str, str]:
    return {
        "email": f"signup-{n}-{uuid.uuid4().hex[:8]}@example.org",
        "password": PASSWORD,
        "role": "resident",
        "display_name": f"Sign-up {n}",
    }


# -- bodies ----------------------------------------------------------------------------


async def test_a_huge_body_with_an_idempotency_key_is_refused_unread(served: ThreadedApi):
    """256 MiB streamed (chunked, so no Content-Length to refuse it by) to the anonymous
    sign-up with an Idempotency-Key: 413, and the process does not hold the body."""
    size = 256 * MIB
    chunk = b"x" * MIB

    async def body() -> AsyncIterator[bytes]:
        for _ in range(size // MIB):
            yield chunk  # the same bytes each time: the client holds 1 MiB, not 256

    async with httpx.AsyncClient(base_url=served.base_url, timeout=120) as client:
        warm_up = await client.post(REGISTER, json={}, headers={"Idempotency-Key": "warm"})
        assert warm_up.status_code == 422
        with memory_peak() as peak:
            response = await client.post(
                REGISTER,
                content=body(),
                headers={"content-type": "application/json", "Idempotency-Key": "k"},
            )
    print(f"RSS growth for a {size // MIB} MiB chunked body: {peak.growth / MIB:.1f} MiB")
    assert response.status_code == 413, response.text
    assert response.json() == TOO_LARGE
    assert peak.growth < size / 4, f"grew by {peak.growth / MIB:.0f} MiB"


async def test_a_huge_announced_body_is_refused_unread(served: ThreadedApi):
    """The same with the length announced: refused before a byte of it is read."""
    size = 128 * MIB
    chunk = b"x" * MIB

    async def body() -> AsyncIterator[bytes]:
        for _ in range(size // MIB):
            yield chunk

    async with httpx.AsyncClient(base_url=served.base_url, timeout=120) as client:
        with memory_peak() as peak:
            response = await client.post(
                REGISTER,
                content=body(),
                headers={
                    "content-type": "application/json",
                    "content-length": str(size),
                    "Idempotency-Key": "announced",
                },
            )
    print(f"RSS growth for a {size // MIB} MiB announced body: {peak.growth / MIB:.1f} MiB")
    assert response.status_code == 413, response.text
    assert response.json() == TOO_LARGE
    assert peak.growth < size / 4, f"grew by {peak.growth / MIB:.0f} MiB"


def raw_post(port: int, path: str, headers: dict[str, str], sent: bytes) -> bytes:
    """Send the request line, ``headers`` and ``sent`` (less than the body they
    announce), then read whatever answer comes within a few seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        sock.sendall(head.encode() + b"\r\n" + sent)
        answer = b""
        try:
            while not complete(answer):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except TimeoutError:
            pass  # nothing (more) came within the timeout: the assertions say what
        return answer


def complete(answer: bytes) -> bool:
    head, separator, body = answer.partition(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    return bool(separator) and bool(lengths) and len(body) >= lengths[0]


async def test_a_body_announced_past_the_limit_is_refused_at_once(served: ThreadedApi):
    """200 MB announced, 256 kB sent: the 413 comes without waiting for the rest, with
    an Idempotency-Key and without one, anonymous and signed in alike."""
    account = registration("announcer")
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
        assert (await client.post(REGISTER, json=account)).status_code == 201
        login = {"email": account["email"], "password": PASSWORD}
        token = (await client.post("/api/auth/login", json=login)).json()["access_token"]
    signed_in = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k"}
    for extra in ({"Idempotency-Key": "k"}, {}, signed_in):
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(200_000_000),
            **extra,
        }
        answer = await asyncio.to_thread(
            raw_post, served.port, REGISTER, headers, b" " * (256 * 1024)
        )
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), (extra, answer[:300])
        assert json.loads(body) == TOO_LARGE
        assert b"x-content-type-options: nosniff" in head.lower()  # the app's headers too


# -- sign-ups --------------------------------------------------------------------------


async def test_accounts_are_hashed_with_the_production_argon2id_parameters(module_sessions):
    """What the other tests of the suite make cheaper (tests/conftest.py) is, here and in
    production, Argon2id with 64 MiB, three passes and four lanes."""
    from service.auth.passwords import hash_password, verify_password

    stored = await hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    assert await verify_password(stored, PASSWORD)
    assert not await verify_password(stored, PASSWORD + "!")


async def test_twenty_sign_ups_at_once_hold_little_memory(served: ThreadedApi, module_sessions):
    """20 x 64 MiB of password hashing, were they all hashed at once; a few at a time,
    the API stays far below that."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=120) as client:
        assert (await client.post(REGISTER, json=registration("warm"))).status_code == 201
        bodies = [registration(n) for n in range(20)]
        with memory_peak() as peak:
            responses = await asyncio.gather(*(client.post(REGISTER, json=b) for b in bodies))
    print(f"RSS growth for 20 sign-ups at once: {peak.growth / MIB:.1f} MiB")
    assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses]
    assert peak.growth < 400 * MIB, f"grew by {peak.growth / MIB:.0f} MiB"
    async with module_sessions() as session:
        emails = set((await session.exec(select(User.email))).all())
    assert {b["email"] for b in bodies} <= emails


async def test_sign_ups_past_the_limit_per_address_get_429(settings, temporal, sessions):
    strict = settings.model_copy(update={"signups_per_ip": 3})
    async with AsyncTestClient(app=create_app(strict)) as api:
        # Counted exactly also when they come all at once.
        burst = await asyncio.gather(*(api.post(REGISTER, json=registration(n)) for n in range(6)))
        assert sorted(r.status_code for r in burst) == [201] * 3 + [429] * 3
        refused = await api.post(REGISTER, json=registration("late"))
        assert refused.status_code == 429, refused.text
        retry_after = int(refused.headers["retry-after"])
        assert 0 < retry_after <= 3600
        assert refused.json()["extra"] == {"retry_after": retry_after, "limit": 3}
        assert "sign-ups" in refused.json()["detail"]
        # Refused sign-ups made no accounts; the ones made sign in as usual.
        async with sessions() as session:
            users = (await session.exec(select(User))).all()
        assert len(users) == 3
        signed_in = await api.post(
            "/api/auth/login", json={"email": users[0].email, "password": PASSWORD}
        )
        assert signed_in.status_code == 200
