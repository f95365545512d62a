"""``proeftuin doctor``: is each part there? One line per check, what is wrong in it."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from service.db import create_engine
from service.db.migrate import applied_revisions, head_revisions
from service.settings import Settings

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None
    """True: fine; False: wrong (the command exits 1); None: nothing to check here."""
    message: str

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "--  "}[self.ok]
        return f"{mark} {self.name:<10} {self.message}"


def settings_check(settings: Settings) -> Check:
    where = settings.data_dir.resolve()
    if settings.mode == "production" and not settings.smtp_host:
        return Check(
            "settings", False,
            "production mode without PROEFTUIN_SMTP_HOST: mail would only be written to "
            f"files in {where / 'mail'}",
        )  # fmt: skip
    if settings.mode == "production" and not settings.public_url:
        return Check(
            "settings", False,
            "production mode without PROEFTUIN_PUBLIC_URL: links in mail would name this "
            "host's address",
        )  # fmt: skip
    database = "PostgreSQL" if "postgresql" in settings.resolved_database_url else "SQLite"
    temporal = "embedded" if settings.embedded_temporal else settings.resolved_temporal_address
    return Check(
        "settings", True,
        f"{settings.mode} mode, {database}, Temporal {temporal}, data folder {where}",
    )  # fmt: skip


async def database_checks(settings: Settings) -> list[Check]:
    url = settings.resolved_database_url
    if url.startswith("sqlite") and not _exists(url.split("///", 1)[1]):
        return [
            Check("database", None, "not created yet (`proeftuin up` or `migrate` makes it)"),
            Check("migrations", None, "not checked (no database)"),
        ]
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await asyncio.wait_for(connection.execute(text("SELECT 1")), TIMEOUT_SECONDS)
            applied = await applied_revisions(connection)
    except Exception as exc:  # noqa: BLE001 - whatever it is, it is the database's
        reason = _one_line(exc)
        return [
            Check("database", False, f"unreachable: {reason}"),
            Check("migrations", None, "not checked (no database)"),
        ]
    finally:
        await engine.dispose()
    heads = head_revisions()
    if applied == heads:
        migrations = Check("migrations", True, f"at head ({', '.join(sorted(heads))})")
    elif not applied:
        migrations = Check("migrations", False, "none applied: run `proeftuin migrate`")
    else:
        migrations = Check(
            "migrations", False,
            f"at {', '.join(sorted(applied))}, this code expects {', '.join(sorted(heads))}: "
            "run `proeftuin migrate`",
        )  # fmt: skip
    return [Check("database", True, "reachable"), migrations]


async def temporal_check(settings: Settings) -> Check:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

    from service.temporal import connect

    address, namespace = settings.resolved_temporal_address, settings.temporal_namespace
    try:
        client = await asyncio.wait_for(connect(address, namespace), TIMEOUT_SECONDS)
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=5)
        )
    except Exception as exc:  # noqa: BLE001 - unreachable, or no such namespace
        reason = _one_line(exc)
        if settings.embedded_temporal and "not found" not in reason.lower():
            return Check(
                "temporal", None,
                f"embedded, not running now at {address} (`proeftuin up` starts it)",
            )  # fmt: skip
        return Check("temporal", False, f"{address} namespace {namespace!r}: {reason}")
    return Check("temporal", True, f"{address}, namespace {namespace!r}")


def smtp_check(settings: Settings) -> Check:
    if not settings.smtp_host:
        return Check(
            "smtp", None, f"not configured: mail is written to {settings.data_dir / 'mail'}"
        )
    host, port = settings.smtp_host, settings.smtp_port
    timeout = min(settings.smtp_timeout_seconds, TIMEOUT_SECONDS)
    try:
        server: smtplib.SMTP
        if settings.smtp_tls == "ssl":
            server = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            server.ehlo()
            if settings.smtp_tls == "starttls":
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if settings.smtp_user and settings.smtp_password:
                server.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            server.noop()
    except Exception as exc:  # noqa: BLE001 - refused, timed out, TLS, login
        return Check("smtp", False, f"{host}:{port}: {_one_line(exc)}")
    login = f" as {settings.smtp_user}" if settings.smtp_user else ""
    return Check("smtp", True, f"{host}:{port} ({settings.smtp_tls}){login}")


async def run_checks(settings: Settings) -> list[Check]:
    checks = [settings_check(settings)]
    checks += await database_checks(settings)
    checks.append(await temporal_check(settings))
    checks.append(await asyncio.to_thread(smtp_check, settings))
    return checks


def _exists(path: str) -> bool:
    return Path(path).exists()


def _one_line(exc: BaseException) -> str:
    text_ = " ".join(str(exc).split()) or type(exc).__name__
    return text_[:300]
