"""A startup's saved draft of a proposal: what it typed in the proposal form, kept on the
server until it submits or discards it.

A draft is not a proposal. The JSON API's proposals have no draft status (a proposal
exists from the moment it is submitted, and the city and evaluators may read it), so a
draft is a row of its own: one per startup and challenge, holding the form's text as
typed (an unfinished budget such as "40.000" included), read by its startup alone and
never by the city, the evaluators or the audit trail's readers (it is not mirrored in
the audit log; the requests that save it are). Saving it again replaces it, so a
reload or a second click writes no second draft. Submitting the proposal deletes it.

Drafts are saved while the call is open, by the rule that governs submitting
(``require_call_open``): a draft of a proposal that can no longer be sent is no use.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field as SchemaField
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.common import Schema
from schemas.proposals import ProposalCreate
from service.auth.identity import CurrentUser
from service.challenges.queries import visible_challenge
from service.clock import utcnow
from service.db.upsert import insert_missing, table_of
from service.proposals.models import ProposalDraft
from service.proposals.services import require_call_open


def _max_length(name: str) -> int:
    """The API's own limit on a proposal field, so a draft holds nothing a proposal
    could not."""
    for constraint in ProposalCreate.model_fields[name].metadata:
        limit = getattr(constraint, "max_length", None)
        if isinstance(limit, int):
            return limit
    raise LookupError(name)


BUDGET_TYPED_MAX = 40


class ProposalDraftIn(Schema):
    """A draft as the form sends it: any field may still be empty, none longer than the
    proposal allows."""

    title: str = SchemaField(default="", max_length=_max_length("title"))
    summary: str = SchemaField(default="", max_length=_max_length("summary"))
    budget_eur: str = SchemaField(default="", max_length=BUDGET_TYPED_MAX)
    public_title_consent: bool = False


async def draft_of(
    session: AsyncSession, challenge_id: int, startup: CurrentUser
) -> ProposalDraft | None:
    found = await session.exec(
        select(ProposalDraft).where(
            ProposalDraft.challenge_id == challenge_id, ProposalDraft.startup_id == startup.id
        )
    )
    return found.first()


async def drafts_of(session: AsyncSession, startup: CurrentUser) -> list[ProposalDraft]:
    """The startup's drafts, the latest first."""
    found = await session.exec(
        select(ProposalDraft)
        .where(ProposalDraft.startup_id == startup.id)
        .order_by(col(ProposalDraft.updated_at).desc())
    )
    return list(found.all())


async def save_draft(
    session: AsyncSession, challenge_id: int, data: ProposalDraftIn, startup: CurrentUser
) -> None:
    """Keep the draft (replacing the startup's earlier draft for this challenge), while
    the call is open; 404 for a challenge the startup may not read."""
    challenge = await visible_challenge(session, challenge_id, startup)
    require_call_open(challenge)
    values: dict[str, Any] = {**data.model_dump(), "updated_at": utcnow()}
    key = {"challenge_id": challenge_id, "startup_id": startup.id}
    written = await insert_missing(
        session, table_of(ProposalDraft), [{**key, **values}], unique=tuple(key)
    )
    if not written:
        await session.exec(
            update(ProposalDraft)
            .where(
                col(ProposalDraft.challenge_id) == challenge_id,
                col(ProposalDraft.startup_id) == startup.id,
            )
            .values(**values)
        )
    await session.commit()


async def discard_draft(session: AsyncSession, challenge_id: int, startup: CurrentUser) -> bool:
    """Delete the startup's draft for this challenge (also once its proposal is
    submitted); whether there was one."""
    removed = await session.exec(
        delete(ProposalDraft).where(
            col(ProposalDraft.challenge_id) == challenge_id,
            col(ProposalDraft.startup_id) == startup.id,
        )
    )
    await session.commit()
    return bool(removed.rowcount)
