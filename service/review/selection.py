"""The ranking the city selects from, "what if" weights, the shortlist, and what each
startup learns about its own proposal afterwards."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from schemas.challenges import ChallengePublic
from schemas.common import ChallengePhase
from schemas.review import (
    Ranking,
    RankingItem,
)
from schemas.workflows import ShortlistInput
from service.auth.identity import CurrentUser
from service.auth.models import User
from service.challenges.models import Challenge
from service.challenges.queries import published_challenge
from service.challenges.rules import require_phase
from service.challenges.services import ChallengeService
from service.errors import FieldError
from service.proposals.models import Proposal, ProposalStatus
from service.review.queries import OUTCOMES, criteria_of, rank_challenge
from service.review.ranking import DISAGREEMENT_RULE, TIE_BREAK_RULE, parse_weights
from service.workflow_gateway import WorkflowGateway

RANKED_PHASES = {
    ChallengePhase.REVIEW,
    ChallengePhase.SELECTION,
    ChallengePhase.PILOTING,
    ChallengePhase.CLOSED,
}


class SelectionService:
    def __init__(self, session: AsyncSession, gateway: WorkflowGateway) -> None:
        self.session = session
        self.gateway = gateway

    async def _challenge(self, challenge_id: int) -> Challenge:
        return await published_challenge(self.session, challenge_id)

    async def ranking(self, challenge_id: int, weights_text: str | None) -> Ranking:
        challenge = await self._challenge(challenge_id)
        require_phase(challenge, RANKED_PHASES, "there is no ranking before the review")
        criteria = await criteria_of(self.session, challenge_id)
        names = {c.id: c.name for c in criteria if c.id is not None}
        weights = {c.id: c.weight for c in criteria if c.id is not None}
        what_if = weights_text is not None
        if what_if:
            try:
                weights = parse_weights(weights_text or "", names)
            except ValueError as exc:
                raise FieldError("weights", str(exc)) from None
        ranked = await rank_challenge(self.session, challenge_id, weights)
        published_rank = (
            {r.proposal_id: r.rank for r in await rank_challenge(self.session, challenge_id)}
            if what_if
            else {}
        )
        proposals = {
            p.id: p
            for p in (
                await self.session.exec(
                    select(Proposal).where(Proposal.challenge_id == challenge_id)
                )
            ).all()
            if p.id is not None
        }
        startups = await self._startup_names([p.startup_id for p in proposals.values()])
        ranked_ids = {r.proposal_id for r in ranked}
        return Ranking(
            challenge_id=challenge_id,
            weights={names[c]: w for c, w in weights.items()},
            what_if=what_if,
            preliminary=challenge.phase == ChallengePhase.REVIEW,
            items=[
                RankingItem(
                    proposal_id=r.proposal_id,
                    title=proposals[r.proposal_id].title,
                    startup_name=startups.get(proposals[r.proposal_id].startup_id),
                    rank=r.rank,
                    rank_by_weighted=r.rank_by_weighted,
                    weighted_score=round(r.weighted_score, 4),
                    normalised_score=round(r.normalised_score, 4),
                    evaluators=len(r.evaluator_totals),
                    spread=round(r.spread, 4),
                    score_range=round(r.score_range, 4),
                    disagreement=r.disagreement,
                    criteria_means={names[c]: round(m, 4) for c, m in r.criteria_means.items()},
                    published_rank=published_rank.get(r.proposal_id),
                )
                for r in ranked
            ],
            unranked_proposal_ids=sorted(
                pid
                for pid, p in proposals.items()
                if p.status in {ProposalStatus.ELIGIBLE, *OUTCOMES} and pid not in ranked_ids
            ),
            tie_break_rule=TIE_BREAK_RULE,
            disagreement_rule=DISAGREEMENT_RULE,
        )

    async def _startup_names(self, ids: Sequence[int]) -> dict[int, str]:
        users = (await self.session.exec(select(User).where(col(User.id).in_(ids)))).all()
        return {u.id: u.display_name for u in users}  # type: ignore[misc]

    async def approve_shortlist(
        self, challenge_id: int, proposal_ids: list[int], reason: str, city: CurrentUser
    ) -> ChallengePublic:
        challenge = await self._challenge(challenge_id)
        require_phase(
            challenge,
            {ChallengePhase.SELECTION},
            "the shortlist is approved once the review has ended",
        )
        if len(proposal_ids) > challenge.max_pilots:
            raise FieldError(
                "proposal_ids",
                f"the challenge funds at most {challenge.max_pilots} pilots; "
                f"{len(proposal_ids)} were chosen",
            )
        ranked = {r.proposal_id for r in await rank_challenge(self.session, challenge_id)}
        for index, proposal_id in enumerate(proposal_ids):
            proposal = await self.session.get(Proposal, proposal_id)
            if proposal is None or proposal.challenge_id != challenge_id:
                raise FieldError(f"proposal_ids.{index}", f"{proposal_id} is not in this challenge")
            if proposal.status != ProposalStatus.ELIGIBLE:
                raise FieldError(
                    f"proposal_ids.{index}", f"proposal {proposal_id} is {proposal.status}"
                )
            if proposal_id not in ranked:
                raise FieldError(
                    f"proposal_ids.{index}",
                    f"proposal {proposal_id} has no complete score from any evaluator",
                )
        await self.gateway.approve_shortlist(
            challenge_id, ShortlistInput(actor_id=city.id, proposal_ids=proposal_ids, reason=reason)
        )
        await self.session.refresh(challenge)
        return await ChallengeService(self.session, self.gateway).to_public(challenge)
