"""Residents' feedback loop in tests: giving input, a pilot running in the test bed, a
closed challenge, and a real SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import ChallengePhase, PilotStatus
from service.challenges.models import Challenge
from service.pilots.models import Pilot
from tests.actors import Account
from tests.builders import submit


async def give_input(
    api: AsyncTestClient, resident: Account, challenge_id: int, body: str = "More trees, please."
) -> dict[str, Any]:
    response = await api.post(
        f"/api/challenges/{challenge_id}/inputs", json={"body": body}, headers=resident.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def set_phase(
    sessions: async_sessionmaker[AsyncSession], challenge_id: int, phase: ChallengePhase
) -> None:
    """Move a challenge on where its workflow (another issue's) would have."""
    async with sessions() as session:
        challenge = await session.get(Challenge, challenge_id)
        assert challenge is not None
        challenge.phase = phase
        session.add(challenge)
        await session.commit()


async def running_pilot(
    api: AsyncTestClient,
    sessions: async_sessionmaker[AsyncSession],
    challenge_id: int,
    startup: Account,
    title: str = "Misting poles",
    status: PilotStatus = PilotStatus.RUNNING,
) -> int:
    """A proposal submitted while the call is open, selected, and running in the test bed
    (the pilot workflow comes with another issue: its status is set here directly)."""
    await set_phase(sessions, challenge_id, ChallengePhase.OPEN)
    proposal = await submit(api, startup, challenge_id, title=title)
    assert proposal.status_code == 201, proposal.text
    async with sessions() as session:
        pilot = Pilot(
            challenge_id=challenge_id,
            proposal_id=proposal.json()["id"],
            startup_id=startup.id,
            status=status,
        )
        session.add(pilot)
        await session.commit()
        assert pilot.id is not None
        pilot_id = pilot.id
    await set_phase(sessions, challenge_id, ChallengePhase.PILOTING)
    return pilot_id


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def to(self, email: str) -> list[EmailMessage]:
        return [m for m in self.messages if email in str(m["To"])]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()
