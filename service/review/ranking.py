"""The ranking arithmetic, free of I/O so it can be checked by hand.

- An evaluator's *weighted score* for a proposal is sum(weight x score) / 100 over the
  criteria (0-10 scale). Only complete assignments (every criterion scored, no
  conflict declared) count.
- *Normalised*: each evaluator's weighted scores are turned into z-scores over the
  proposals that evaluator completed in this challenge, z = (x - mean) / stdev
  (population); an evaluator with a single proposal, or the same score everywhere,
  contributes 0. A harsh and a lenient evaluator thus count alike.
- A proposal's weighted and normalised scores are the means over its evaluators.
- *Spread* is the population standard deviation of its evaluators' weighted scores,
  and evaluators *disagree* when their weighted scores are 3 points or more apart.
- Rank: normalised score, highest first; ties by weighted score, highest first; then
  the earlier submission (lower proposal id) first. ``rank_by_weighted`` orders by
  weighted score first, then normalised, then proposal id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean, pstdev

DISAGREEMENT_RANGE = 3.0
TIE_BREAK_RULE = (
    "normalised score, highest first; then weighted score, highest first; "
    "then the earlier submission (lower proposal id)"
)
DISAGREEMENT_RULE = (
    f"flagged when two evaluators' weighted scores differ by {DISAGREEMENT_RANGE:g} "
    "points or more (0-10 scale)"
)
_PRECISION = 9  # compare rounded values so float noise never decides a tie


@dataclass(frozen=True)
class CompletedScores:
    """One complete assignment: an evaluator's score per criterion for a proposal."""

    evaluator_id: int
    proposal_id: int
    scores: Mapping[int, int]


@dataclass
class RankedProposal:
    proposal_id: int
    weighted_score: float
    normalised_score: float
    evaluator_totals: list[float]
    criteria_means: dict[int, float]
    rank: int = 0
    rank_by_weighted: int = 0
    spread: float = field(init=False)
    score_range: float = field(init=False)

    def __post_init__(self) -> None:
        totals = self.evaluator_totals
        self.spread = pstdev(totals) if len(totals) > 1 else 0.0
        self.score_range = max(totals) - min(totals) if totals else 0.0

    @property
    def disagreement(self) -> bool:
        return round(self.score_range, _PRECISION) >= DISAGREEMENT_RANGE


def weighted_total(scores: Mapping[int, int], weights: Mapping[int, int]) -> float:
    return sum(weights[criterion] * scores[criterion] for criterion in weights) / 100


def _z_scores(totals: Mapping[int, float]) -> dict[int, float]:
    values = list(totals.values())
    if len(values) < 2:
        return dict.fromkeys(totals, 0.0)
    mean, deviation = fmean(values), pstdev(values)
    if round(deviation, _PRECISION) == 0:
        return dict.fromkeys(totals, 0.0)
    return {proposal: (value - mean) / deviation for proposal, value in totals.items()}


def rank_proposals(
    completed: Sequence[CompletedScores], weights: Mapping[int, int]
) -> list[RankedProposal]:
    """Rank the proposals that have at least one complete assignment."""
    by_evaluator: dict[int, dict[int, float]] = defaultdict(dict)
    for entry in completed:
        by_evaluator[entry.evaluator_id][entry.proposal_id] = weighted_total(entry.scores, weights)

    totals: dict[int, list[float]] = defaultdict(list)
    z_values: dict[int, list[float]] = defaultdict(list)
    for evaluator_totals in by_evaluator.values():
        z = _z_scores(evaluator_totals)
        for proposal, total in evaluator_totals.items():
            totals[proposal].append(total)
            z_values[proposal].append(z[proposal])

    per_criterion: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry in completed:
        for criterion, score in entry.scores.items():
            per_criterion[entry.proposal_id][criterion].append(score)

    ranked = [
        RankedProposal(
            proposal_id=proposal,
            weighted_score=fmean(totals[proposal]),
            normalised_score=fmean(z_values[proposal]),
            evaluator_totals=totals[proposal],
            criteria_means={c: fmean(s) for c, s in per_criterion[proposal].items()},
        )
        for proposal in totals
    ]

    def key(primary: str, secondary: str):  # noqa: ANN202 - a sort key factory
        return lambda r: (
            -round(getattr(r, primary), _PRECISION),
            -round(getattr(r, secondary), _PRECISION),
            r.proposal_id,
        )

    for position, item in enumerate(sorted(ranked, key=key("weighted_score", "normalised_score"))):
        item.rank_by_weighted = position + 1
    ranked.sort(key=key("normalised_score", "weighted_score"))
    for position, item in enumerate(ranked):
        item.rank = position + 1
    return ranked


def parse_weights(text: str, criteria: Mapping[int, str]) -> dict[int, int]:
    """``"12:40,13:60"`` or ``"Impact:40,Cost:60"`` -> {criterion id: weight}.

    Every criterion must be given, the weights must be whole numbers summing to 100.
    Raises ValueError with a message for the user.
    """
    by_name = {name.casefold(): criterion for criterion, name in criteria.items()}
    weights: dict[int, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, sep, value = part.rpartition(":")
        if not sep:
            raise ValueError(f"'{part}' is not criterion:weight")
        label = label.strip()
        criterion = int(label) if label.isdigit() and int(label) in criteria else None
        criterion = criterion or by_name.get(label.casefold())
        if criterion is None:
            raise ValueError(f"'{label}' is not a criterion of this challenge")
        if criterion in weights:
            raise ValueError(f"'{label}' is given twice")
        try:
            weights[criterion] = int(value)
        except ValueError:
            raise ValueError(f"the weight of '{label}' is not a whole number") from None
        if weights[criterion] < 0:
            raise ValueError(f"the weight of '{label}' is negative")
    missing = [criteria[c] for c in criteria if c not in weights]
    if missing:
        raise ValueError(f"give a weight for every criterion; missing: {', '.join(missing)}")
    if sum(weights.values()) != 100:
        raise ValueError(f"weights must sum to 100, they sum to {sum(weights.values())}")
    return weights
