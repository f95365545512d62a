"""The ``proeftuin`` command."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from schemas.common import Role
from service.settings import Settings, SettingsError, get_settings

_data_dir = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the embedded databases, mail and logs live (PROEFTUIN_DATA_DIR).",
)


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["PROEFTUIN_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.mode == "production":  # JSON lines for the log collector
        from service.logjson import use_json_logs

        use_json_logs()
    return settings


def _run(
    coroutine_factory: Callable[[Settings], Any],
    data_dir: Path | None,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> None:
    settings = _settings(data_dir)
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(coroutine_factory(settings))
    except KeyboardInterrupt:
        pass


def _exit_now(code: int = 0) -> NoReturn:
    """End a command that used a Temporal client at once: at the interpreter's ordinary
    finalization the SDK's threads may still call into Python, which aborts the process
    (SIGABRT, "PyGILState_Release") now and then, after the work was done."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@click.group()
@_data_dir
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Proeftuin: open innovation challenges for cities."""
    if data_dir is not None:
        os.environ["PROEFTUIN_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()


@main.command()
@_data_dir
def up(data_dir: Path | None) -> None:
    """Run everything: Temporal (embedded unless PROEFTUIN_TEMPORAL_ADDRESS is set),
    migrations, the worker and the API."""
    from service.runner import TemporalDidNotStart, run_up

    try:
        _run(run_up, data_dir)
    except TemporalDidNotStart as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@_data_dir
def api(data_dir: Path | None) -> None:
    """Run the HTTP API only (production: many of these behind a load balancer)."""
    from service.eventloop import api_event_loop_factory
    from service.runner import run_api

    _run(run_api, data_dir, loop_factory=api_event_loop_factory())  # uvloop


@main.command()
@_data_dir
def worker(data_dir: Path | None) -> None:
    """Run the Temporal worker only (production: one or more)."""
    from service.runner import run_worker

    _run(run_worker, data_dir)


@main.command()
@_data_dir
def migrate(data_dir: Path | None) -> None:
    """Bring the database schema up to date."""
    from service.db import migrate as run_migrations

    settings = _settings(data_dir)
    asyncio.run(run_migrations(settings.resolved_database_url))
    click.echo("database is up to date")


@main.command()
@_data_dir
def doctor(data_dir: Path | None) -> None:
    """Check the settings, the database, its migrations, Temporal and the mail server:
    one line each; exits 1 when something is wrong."""
    from service.operations.doctor import Check, run_checks

    os.environ.setdefault("PROEFTUIN_LOG_LEVEL", "warning")
    try:
        settings = _settings(data_dir)
    except click.ClickException as exc:
        click.echo(Check("settings", False, " ".join(exc.message.split())).line())
        sys.exit(1)
    checks = asyncio.run(run_checks(settings))
    for check in checks:
        click.echo(check.line())
    _exit_now(1 if any(check.ok is False for check in checks) else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for scripts.")
@_data_dir
def status(as_json: bool, data_dir: Path | None) -> None:
    """Every running challenge and pilot: its phase, what it waits for and until when,
    its workflow; resident input awaiting an answer and overdue; the mail outbox."""
    import json

    from service.clock import utcnow
    from service.db import create_engine, create_session_factory
    from service.operations.status import as_text, read_status, to_json
    from service.temporal import connect

    os.environ.setdefault("PROEFTUIN_LOG_LEVEL", "warning")
    settings = _settings(data_dir)

    async def read() -> Any:
        try:
            client = await asyncio.wait_for(
                connect(settings.resolved_temporal_address, settings.temporal_namespace), 10
            )
        except Exception:  # noqa: BLE001 - the report says Temporal is unreachable
            client = None
        engine = create_engine(settings.resolved_database_url)
        try:
            async with create_session_factory(engine)() as session:
                return await read_status(session, client, utcnow())
        finally:
            await engine.dispose()

    report = asyncio.run(read())
    if as_json:
        click.echo(json.dumps(to_json(report), indent=2))
    else:
        for line in as_text(report):
            click.echo(line)
    _exit_now(0)


@main.command()
@click.option(
    "--process",
    type=click.Choice(["auto", "api", "worker", "migrate"]),
    default="auto",
    help="Which process to check; auto: the container's main process (its command).",
)
@_data_dir
def healthcheck(process: str, data_dir: Path | None) -> None:
    """For container health checks: exits 0 while the process is alive. The API answers
    /api/health; the worker's heartbeat file is fresh; a one-shot command is alive."""
    import urllib.request

    from service.operations.heartbeat import fresh, heartbeat_path

    if process == "auto":
        process = _main_process_command()
    settings = _settings(data_dir)
    if process == "api":
        url = f"http://127.0.0.1:{settings.http_port}/api/health"
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:  # noqa: S310 - our own
                healthy = answer.status == 200
        except OSError as exc:
            raise click.ClickException(f"the API does not answer at {url}: {exc}") from None
        if not healthy:
            raise click.ClickException(f"the API answers {url} with {answer.status}")
    elif process == "worker":
        path = heartbeat_path(settings.data_dir)
        if not fresh(path):
            raise click.ClickException(f"the worker's heartbeat ({path}) is missing or stale")
    click.echo(f"{process}: alive")


def _main_process_command() -> str:
    """The proeftuin command the container runs as its main process (pid 1)."""
    try:
        argv = Path("/proc/1/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        argv = []
    for word in argv:
        if word in ("api", "up"):
            return "api"
        if word in ("worker", "migrate"):
            return word
    return "migrate"  # nothing that serves: alive while it runs


@main.command("create-namespace")
@click.option("--retention-days", default=30, show_default=True, type=click.IntRange(1, 3650))
@_data_dir
def create_namespace(retention_days: int, data_dir: Path | None) -> None:
    """Register PROEFTUIN_TEMPORAL_NAMESPACE on the Temporal server unless it exists (a
    Temporal cluster creates no namespace but `default` by itself)."""
    from datetime import timedelta

    from google.protobuf.duration_pb2 import Duration
    from temporalio.api.workflowservice.v1 import (
        DescribeNamespaceRequest,
        RegisterNamespaceRequest,
    )
    from temporalio.service import RPCError, RPCStatusCode

    from service.temporal import connect

    settings = _settings(data_dir)
    namespace = settings.temporal_namespace

    async def create() -> bool:
        client = await connect(settings.resolved_temporal_address, "default", attempts=30)
        service = client.workflow_service
        try:
            await service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
            return False
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
        retention = Duration()
        retention.FromTimedelta(timedelta(days=retention_days))
        try:
            await service.register_namespace(
                RegisterNamespaceRequest(
                    namespace=namespace, workflow_execution_retention_period=retention
                )
            )
        except RPCError as exc:
            if exc.status != RPCStatusCode.ALREADY_EXISTS:
                raise
            return False
        return True

    try:
        created = asyncio.run(create())
    except Exception as exc:  # noqa: BLE001 - said in one line, exit 1
        click.echo(f"Error: namespace {namespace!r}: {exc}", err=True)
        _exit_now(1)
    click.echo(
        f"created the namespace {namespace!r} (retention {retention_days} days)"
        if created
        else f"the namespace {namespace!r} exists"
    )
    _exit_now(0)


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--password",
    default=None,
    help="At least 10 characters, not common or easily guessed. Left out, it is asked for "
    "(twice, without showing it), so it stays out of the shell's history.",
)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--display-name", default=None, help="Shown to others; defaults to the e-mail.")
@_data_dir
def create_user(
    email: str, password: str | None, role: str, display_name: str | None, data_dir: Path | None
) -> None:
    """Create an account of any role (city staff and evaluators are created this way)."""
    from pydantic import TypeAdapter, ValidationError
    from pydantic.networks import EmailStr

    from schemas.passwords import weak_password_reason
    from service.auth.services import AccountService
    from service.db import create_engine, create_session_factory
    from service.db import migrate as run_migrations
    from service.errors import Conflict

    try:
        TypeAdapter(EmailStr).validate_python(email)
    except ValidationError as exc:
        raise click.BadParameter(exc.errors()[0]["msg"], param_hint="--email") from None
    if password is None:
        # click reads a hidden answer with getpass, and asks again to confirm it.
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        assert isinstance(password, str)
    weakness = weak_password_reason(password, [email, display_name or ""])
    if weakness:
        raise click.BadParameter(weakness, param_hint="--password")
    settings = _settings(data_dir)

    async def create() -> int:
        await run_migrations(settings.resolved_database_url)
        engine = create_engine(settings.resolved_database_url)
        try:
            async with create_session_factory(engine)() as session:
                user = await AccountService(session).create(
                    email, password, Role(role), display_name or email
                )
                assert user.id is not None
                return user.id
        finally:
            await engine.dispose()

    try:
        user_id = asyncio.run(create())
    except Conflict as exc:
        raise click.ClickException(str(exc.detail)) from None
    click.echo(f"created {role} account {email} (id {user_id})")


def _set_active(email: str, active: bool, data_dir: Path | None) -> None:
    from service.auth.services import AccountService
    from service.db import create_engine, create_session_factory

    settings = _settings(data_dir)

    async def update() -> bool:
        engine = create_engine(settings.resolved_database_url)
        try:
            async with create_session_factory(engine)() as session:
                return await AccountService(session).set_active(email, active)
        finally:
            await engine.dispose()

    if not asyncio.run(update()):
        raise click.ClickException(f"no account with the e-mail address {email}")
    click.echo(f"{'activated' if active else 'deactivated'} the account {email}")


@users.command("list")
@_data_dir
def list_users(data_dir: Path | None) -> None:
    """Print every account: id, role, status (active, invited, deactivated), e-mail, name."""
    from service.auth.invitations import InvitationService
    from service.db import create_engine, create_session_factory

    settings = _settings(data_dir)

    async def read() -> list[Any]:
        engine = create_engine(settings.resolved_database_url)
        try:
            async with create_session_factory(engine)() as session:
                return list(await InvitationService(session, settings).accounts())
        finally:
            await engine.dispose()

    accounts = asyncio.run(read())
    rows = [("ID", "ROLE", "STATUS", "E-MAIL", "NAME")]
    rows += [(str(a.id), a.role, a.status, a.email, a.display_name) for a in accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo(
            "  ".join(v.ljust(w) for v, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        )


@users.command("deactivate")
@click.option("--email", required=True)
@_data_dir
def deactivate_user(email: str, data_dir: Path | None) -> None:
    """Switch an account off: it cannot sign in, and its tokens stop working at once."""
    _set_active(email, False, data_dir)


@users.command("activate")
@click.option("--email", required=True)
@_data_dir
def activate_user(email: str, data_dir: Path | None) -> None:
    """Switch an account back on."""
    _set_active(email, True, data_dir)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
