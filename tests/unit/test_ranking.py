"""The ranking arithmetic on small cases worked out by hand."""

from __future__ import annotations

import pytest

from service.review.ranking import CompletedScores, parse_weights, rank_proposals

WEIGHTS = {1: 60, 2: 40}


def scores(evaluator: int, proposal: int, a: int, b: int) -> CompletedScores:
    return CompletedScores(evaluator, proposal, {1: a, 2: b})


def test_weighted_and_normalised_scores_by_hand():
    # Evaluator 1 (lenient): P1 = 0.6*9+0.4*8 = 8.6, P2 = 0.6*7+0.4*7 = 7.0 -> z = +1, -1
    # Evaluator 2 (harsh):   P1 = 0.6*3+0.4*2 = 2.6, P2 = 0.6*5+0.4*5 = 5.0 -> z = -1, +1
    ranked = rank_proposals(
        [scores(1, 1, 9, 8), scores(1, 2, 7, 7), scores(2, 1, 3, 2), scores(2, 2, 5, 5)],
        WEIGHTS,
    )
    by_id = {r.proposal_id: r for r in ranked}
    assert by_id[1].weighted_score == pytest.approx((8.6 + 2.6) / 2)
    assert by_id[2].weighted_score == pytest.approx(6.0)
    assert by_id[1].normalised_score == pytest.approx(0.0)
    assert by_id[2].normalised_score == pytest.approx(0.0)
    # Equal normalised scores: the higher weighted score wins.
    assert [r.proposal_id for r in ranked] == [2, 1]
    assert by_id[1].score_range == pytest.approx(6.0) and by_id[1].disagreement
    assert by_id[1].spread == pytest.approx(3.0)
    assert by_id[2].score_range == pytest.approx(2.0) and not by_id[2].disagreement


def test_a_full_tie_goes_to_the_earlier_submission():
    ranked = rank_proposals([scores(1, 7, 5, 5), scores(1, 3, 5, 5)], WEIGHTS)
    assert [(r.proposal_id, r.rank, r.rank_by_weighted) for r in ranked] == [(3, 1, 1), (7, 2, 2)]
    assert all(r.normalised_score == 0.0 for r in ranked)


def test_an_evaluator_with_one_proposal_contributes_zero_not_a_division_by_zero():
    [only] = rank_proposals([scores(1, 1, 10, 10)], WEIGHTS)
    assert (only.weighted_score, only.normalised_score, only.spread) == (10.0, 0.0, 0.0)


def test_what_if_weights_are_parsed_by_name_or_id():
    criteria = {11: "Impact", 12: "Cost"}
    assert parse_weights("impact:70, Cost:30", criteria) == {11: 70, 12: 30}
    assert parse_weights("11:25,12:75", criteria) == {11: 25, 12: 75}
    for text, message in [
        ("Impact:70", "missing: Cost"),
        ("Impact:70,Cost:40", "sum to 100"),
        ("Impact:70,Impact:30", "given twice"),
        ("Impact:-10,Cost:110", "negative"),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_weights(text, criteria)
