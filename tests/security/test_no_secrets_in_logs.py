"""No password, token or secret in any log line: not while people register and sign in
(rightly, wrongly, with broken requests), nor while mail goes out through an SMTP server
that wants a password. Checked on the log records of the app and worker in this process,
and on everything a real ``proeftuin up`` writes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from service.notifications.commands import notify
from service.notifications.messages import Message
from service.notifications.tokens import unsubscribe_token
from tests.builders import challenge_body
from tests.processes import ServiceProcess, free_port
from tests.security.secrets_sink import LoginSmtpSink
from tests.stack import eventually
from workflows.standing import ensure_standing_workflows

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PASSWORD = "Correct-Horse-7391"
WRONG_PASSWORD = "Wrong-Guess-5528"
BROKEN_PASSWORD = "Broken-Json-0417"
TOO_LONG_PASSWORD = "Too-Long-8806-" * 30
SMTP_USER, SMTP_PASSWORD = "proeftuin-mailer", "Smtp-Pa55-6190"
JWT_SECRET = "f3a9c1d7e2b84650a1c9e8d7b6f5a4c3"
DB_PASSWORD = "Db-Pa55-2741"


# The test's own tools: its HTTP client and its SMTP server log what they send and get.
NOT_OURS = ("httpx", "httpcore", "mail.log")


class _Everything(logging.Handler):
    """Every record of every logger of the service, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(NOT_OURS):
            self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def all_logs() -> Iterator[_Everything]:
    handler = _Everything()
    root = logging.getLogger()
    loggers = [root] + [
        logging.getLogger(name)
        for name, each in logging.root.manager.loggerDict.items()
        if isinstance(each, logging.Logger) and not each.propagate
    ]
    levels = [(each, each.level) for each in loggers]
    for each in loggers:
        each.addHandler(handler)
        each.setLevel(logging.DEBUG)
    yield handler
    for each, level in levels:
        each.removeHandler(handler)
        each.setLevel(level)


def assert_no_secrets(text: str, secrets: dict[str, str]) -> None:
    assert text, "nothing was logged at all"
    leaked = [name for name, value in secrets.items() if value and value in text]
    lines = [line for line in text.splitlines() if any(v in line for v in secrets.values())]
    assert leaked == [], f"in the logs: {leaked}\n" + "\n".join(lines[:10])


async def sign_up_and_in(api: httpx.AsyncClient) -> dict[str, str]:
    """A resident's account, every way of signing in; returns the secrets it used."""
    email = "anne@example.org"
    account = {"email": email, "role": "resident", "display_name": "Anne"}
    assert (await api.post("/api/auth/register", json={**account, "password": PASSWORD})).is_success
    too_long = await api.post("/api/auth/register", json={**account, "password": TOO_LONG_PASSWORD})
    assert too_long.status_code == 422
    wrong = await api.post("/api/auth/login", json={"email": email, "password": WRONG_PASSWORD})
    assert wrong.status_code == 401
    broken = await api.post(
        "/api/auth/login",
        content=f'{{"email": "{email}", "password": "{BROKEN_PASSWORD}"'.encode(),
        headers={"content-type": "application/json"},
    )
    assert broken.status_code in (400, 422)
    right = await api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    token = right.json()["access_token"]
    assert (await api.get("/api/me", headers={"Authorization": f"Bearer {token}"})).is_success
    return {"access token": token}


@pytest.fixture
def smtp() -> Iterator[LoginSmtpSink]:
    sink = LoginSmtpSink(free_port(), SMTP_USER, SMTP_PASSWORD)
    yield sink
    sink.stop()


@pytest.fixture
def settings(settings, smtp):
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_tls": "none",
            "smtp_user": SMTP_USER,
            "smtp_password": SecretStr(SMTP_PASSWORD),
            "smtp_timeout_seconds": 5,
            "mail_poll_seconds": 0.1,
        }
    )


async def test_the_app_and_worker_log_no_secrets(
    api, actors, sessions, settings, temporal, smtp, all_logs
):
    smtp.start()
    await ensure_standing_workflows(temporal.client, settings)
    secrets = await sign_up_and_in(api)
    resident = await actors.resident()
    link_token = unsubscribe_token(settings.signing_secret(), resident.id)
    assert (await api.get(f"/api/unsubscribe?token={link_token}")).status_code == 200
    async with sessions() as session:
        await notify(
            session,
            [resident.id],
            Message(kind="test", key="secrets-1", title="Hello", body="A mail to send"),
        )
        await session.commit()
    # The server refuses the first login; the drainer retries and the mail arrives.
    await eventually(lambda: _count(smtp), lambda n: n >= 1, timeout=60)
    assert smtp.logins >= 2
    assert_no_secrets(
        all_logs.text,
        {
            "password": PASSWORD,
            "wrong password": WRONG_PASSWORD,
            "password in a broken request": BROKEN_PASSWORD,
            "refused password": TOO_LONG_PASSWORD,
            "access token": secrets["access token"],
            "another access token": resident.token,
            "JWT secret": settings.signing_secret(),
            "SMTP password": SMTP_PASSWORD,
            "unsubscribe token": link_token,
        },
    )


async def _count(smtp: LoginSmtpSink) -> int:
    return len(smtp.messages)


async def test_a_real_service_logs_no_secrets(tmp_path, database_url, smtp):
    smtp.refuse_first = False  # the refused login is the test above's; here, be quick
    smtp.start()
    http_port = free_port()
    env = {
        "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
        "PROEFTUIN_HTTP_PORT": str(http_port),
        "PROEFTUIN_TEMPORAL_PORT": str(free_port()),
        "PROEFTUIN_TEMPORAL_UI_PORT": str(free_port()),
        "PROEFTUIN_JWT_SECRET": JWT_SECRET,
        "PROEFTUIN_SMTP_HOST": "127.0.0.1",
        "PROEFTUIN_SMTP_PORT": str(smtp.port),
        "PROEFTUIN_SMTP_TLS": "none",
        "PROEFTUIN_SMTP_USER": SMTP_USER,
        "PROEFTUIN_SMTP_PASSWORD": SMTP_PASSWORD,
        "PROEFTUIN_MAIL_POLL_SECONDS": "0.2",
        "PROEFTUIN_LOG_LEVEL": "debug",
    }
    if not database_url.startswith("sqlite"):
        # Trust authentication accepts any password: this one only has to stay unlogged.
        env["PROEFTUIN_DATABASE_URL"] = database_url.replace(
            "://postgres@", f"://postgres:{DB_PASSWORD}@"
        )
    city = ServiceProcess(
        ["users", "create", "--email", "office@city.example.org", "--password", PASSWORD,
         "--role", "city"],
        env, tmp_path / "users.log",
    )  # fmt: skip
    await city.start()
    assert await city.process.wait() == 0, city.output()

    up = await ServiceProcess(["up"], env, tmp_path / "up.log").start()
    try:
        await up.wait_healthy(http_port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}", timeout=30) as api:
            secrets = await sign_up_and_in(api)
            login = await api.post(
                "/api/auth/login", json={"email": "office@city.example.org", "password": PASSWORD}
            )
            city_headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            me = (await api.get("/api/me", headers=city_headers)).json()
            link_token = unsubscribe_token(JWT_SECRET, me["id"])
            assert (await api.get(f"/api/unsubscribe?token={link_token}")).status_code == 200
            # Anne follows a call that the city then cancels: she is told by e-mail,
            # which goes out through the SMTP login.
            opened = await api.post("/api/challenges", json=challenge_body(), headers=city_headers)
            assert opened.status_code == 201, opened.text
            challenge_id = opened.json()["id"]
            await api.post(f"/api/challenges/{challenge_id}/publish", headers=city_headers)
            followed = await api.post(
                f"/api/challenges/{challenge_id}/follow",
                headers={"Authorization": f"Bearer {secrets['access token']}"},
            )
            assert followed.status_code == 200, followed.text
            cancelled = await api.post(
                f"/api/challenges/{challenge_id}/cancel",
                json={"reason": "The budget moved to next year"},
                headers=city_headers,
            )
            assert cancelled.status_code == 200, cancelled.text
        await eventually(lambda: _count(smtp), lambda n: n >= 1, timeout=60)
    finally:
        await up.stop()
    logs = up.output() + city.output()
    for extra in (tmp_path / "data").glob("*.log"):
        logs += extra.read_text(errors="replace")
    assert "Stopped." in up.output()
    assert_no_secrets(
        logs,
        {
            "password": PASSWORD,
            "wrong password": WRONG_PASSWORD,
            "password in a broken request": BROKEN_PASSWORD,
            "refused password": TOO_LONG_PASSWORD,
            "access token": secrets["access token"],
            "city's access token": city_headers["Authorization"].split()[1],
            "JWT secret": JWT_SECRET,
            "SMTP password": SMTP_PASSWORD,
            "database password": DB_PASSWORD,
            "unsubscribe token": link_token,
        },
    )
