"""Sending the mail outbox, and bundling the daily digests."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from schemas.standing import (
    BundleDigestsInput,
    BundleDigestsResult,
    DrainOutboxInput,
    DrainOutboxResult,
)
from service.notifications.outbox import ComposedMail, Lease, Outbox
from service.notifications.transport import (
    MailRefused,
    MailServerUnavailable,
    MailTransport,
    transport_for,
)
from service.settings import Settings

log = logging.getLogger(__name__)


class MailActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings):
        self._outbox = Outbox(session_factory, settings)
        self._settings = settings

    @activity.defn
    async def drain_outbox(self, input: DrainOutboxInput) -> DrainOutboxResult:
        """Send what the outbox holds, polling it for ``run_for_seconds`` or until the
        worker stops.

        A mail server that cannot take mail fails the attempt (after freeing the rows
        it held), and Temporal retries it with backoff: mail waits, none is lost.
        """
        result = DrainOutboxResult(sent=0, refused=0, skipped=0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + input.run_for_seconds
        while True:
            activity.heartbeat(result.sent)
            lease = await self._outbox.claim(input.batch_size)
            if lease is not None:
                await self._send(lease, result)
                continue
            remaining = deadline - loop.time()
            if remaining <= 0 or activity.is_worker_shutdown():
                return result
            try:
                # Between polls, a worker that is stopping ends the drain at once (the
                # workflow starts the next on another worker) rather than making its
                # graceful shutdown wait out the poll.
                await asyncio.wait_for(
                    activity.wait_for_worker_shutdown(), min(input.poll_seconds, remaining)
                )
            except TimeoutError:
                continue
            return result

    async def _send(self, lease: Lease, result: DrainOutboxResult) -> None:
        waiting = list(lease.row_ids)
        in_flight: int | None = None
        try:
            async with transport_for(self._settings) as transport:
                while waiting:
                    activity.heartbeat(result.sent)
                    mail = await self._outbox.compose(waiting[0])
                    if mail.message is None:
                        await self._outbox.mark_skipped(mail.row_id, lease.token)
                        result.skipped += 1
                    else:
                        in_flight = mail.row_id
                        try:
                            # Shielded: once handed to the server, the mail is marked sent
                            # even if this attempt is being cancelled meanwhile.
                            await asyncio.shield(self._deliver(transport, mail, lease.token))
                        except MailRefused as exc:
                            log.warning("mail %s refused for good: %s", mail.row_id, exc)
                            await self._outbox.mark_refused(mail.row_id, lease.token, str(exc))
                            result.refused += 1
                        else:
                            result.sent += 1
                        in_flight = None
                    waiting.pop(0)
        except MailServerUnavailable as exc:
            await self._outbox.record_failure(waiting, lease.token, str(exc))
            raise ApplicationError(str(exc), type="MailServerUnavailable") from exc
        except BaseException:
            # Cancelled (worker shutting down) or the database failed: free the rows not
            # being sent so the next attempt takes them at once, not after the lease.
            try:
                await self._outbox.release([r for r in waiting if r != in_flight], lease.token)
            except Exception:  # noqa: BLE001 - the lease expires by itself
                log.exception("could not free leased mail %s", waiting)
            raise

    async def _deliver(self, transport: MailTransport, mail: ComposedMail, token: str) -> None:
        assert mail.message is not None
        await transport.send(mail.message, mail.name)
        await self._outbox.mark_sent(mail.row_id, token)

    @activity.defn
    async def bundle_daily_digests(self, input: BundleDigestsInput) -> BundleDigestsResult:
        digests, notifications = await self._outbox.bundle_daily(input.day)
        return BundleDigestsResult(digests=digests, notifications=notifications)
