"""The draft challenge as an HTML form: flat fields (``criteria.0.weight``) to and from
the JSON API's ``ChallengeCreate``, rows to add without JavaScript, and the model's
refusals worded for the city officer.

The rules (weights summing to 100, unique names, the deadlines in order) are the API's
model's: the page validates the form with ``ChallengeCreate`` and shows what it says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from schemas.challenges import WEIGHT_TOTAL, ChallengeCreate, ChallengePublic
from service.web.city.common import from_local, local_input
from service.web.forms import FORM, Form, FormInvalid, validate
from service.web.i18n import N_, Gettext

FIELDS = (
    "title",
    "problem_statement",
    "test_bed",
    "pilot_budget_cap_eur",
    "max_pilots",
    "proposals_close_at",
    "review_deadline",
)
TIMES = ("proposals_close_at", "review_deadline")
CRITERION = ("name", "description", "weight")
KPI = ("name", "unit", "target", "direction")
MAX_CRITERIA, MAX_KPIS = 20, 30
MIN_CRITERIA_ROWS, MIN_KPI_ROWS = 3, 2

MISSING = {
    "title": N_("Enter a title for the challenge."),
    "problem_statement": N_("Describe the problem the city wants solved."),
    "test_bed": N_("Describe the test bed where pilots run."),
    "pilot_budget_cap_eur": N_("Enter the most a pilot may cost, in euros."),
    "max_pilots": N_("Enter how many pilots the city funds."),
    "proposals_close_at": N_("Enter when the call for proposals closes."),
    "review_deadline": N_("Enter the review deadline."),
}
_SUM = re.compile(r"they sum to (-?\d+)")


@dataclass
class Rows:
    criteria: int
    kpis: int


def _rows(values: Mapping[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a repeated group that have anything typed in, in order (a row
    emptied by the officer is removed)."""
    numbers = sorted(
        {
            int(match.group(1))
            for key in values
            if (match := re.fullmatch(rf"{prefix}\.(\d+)\.\w+", key)) and int(match.group(1)) < 100
        }
    )
    rows = []
    for n in numbers:
        row = {f: values.get(f"{prefix}.{n}.{f}", "").strip() for f in fields}
        typed = {f: v for f, v in row.items() if f != "direction"}
        if any(typed.values()):
            rows.append(row)
    return rows


def _flat(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    return {f"{prefix}.{i}.{f}": v for i, row in enumerate(rows) for f, v in row.items()}


def echo(values: Mapping[str, str]) -> dict[str, str]:
    """The form as typed, its groups renumbered without empty rows (so the model's
    ``criteria.1.weight`` is the field shown as ``criteria.1.weight``)."""
    shown = {f: values.get(f, "") for f in FIELDS}
    shown.update(_flat("criteria", _rows(values, "criteria", CRITERION)))
    shown.update(_flat("kpis", _rows(values, "kpis", KPI)))
    return shown


def rows_shown(values: Mapping[str, str], add: str | None = None) -> Rows:
    """How many rows of each group the form shows: what is filled in, one blank at
    least, and one more for each "add a row" pressed."""

    def count(prefix: str, fields: tuple[str, ...], least: int, most: int, asked: str) -> int:
        filled = len(_rows(values, prefix, fields))
        try:
            before = int(values.get(asked, "0"))
        except ValueError:
            before = 0
        wanted = max(filled + 1, least, min(before, most))
        return min(wanted + (1 if add == prefix else 0), most)

    return Rows(
        criteria=count("criteria", CRITERION, MIN_CRITERIA_ROWS, MAX_CRITERIA, "criteria_rows"),
        kpis=count("kpis", KPI, MIN_KPI_ROWS, MAX_KPIS, "kpi_rows"),
    )


def payload(values: Mapping[str, str], zone: ZoneInfo) -> dict[str, Any]:
    """The API's request body from the form (empty fields left out, so the model's own
    defaults and "missing" apply)."""
    body: dict[str, Any] = {f: values.get(f, "").strip() for f in FIELDS}
    for name in TIMES:
        if body[name]:
            body[name] = from_local(body[name], zone)
    body["criteria"] = [
        {k: v for k, v in row.items() if v != ""} for row in _rows(values, "criteria", CRITERION)
    ]
    body["kpis"] = [{k: v for k, v in row.items() if v != ""} for row in _rows(values, "kpis", KPI)]
    return body


def reword(errors: dict[str, str], values: Mapping[str, str], gettext: Gettext) -> dict[str, str]:
    """The model's messages about the whole group or the timeline, said for a person and
    put on the field to change."""
    worded = dict(errors)
    criteria = worded.get("criteria")
    if criteria is not None:
        total = _SUM.search(criteria)
        if total:
            worded["criteria"] = gettext(
                "The weights add up to %(total)s. Change them so they add up to %(whole)s."
            ) % {"total": total.group(1), "whole": WEIGHT_TOTAL}
        elif "unique" in criteria:
            worded["criteria"] = gettext("Give each criterion a different name.")
        elif not _rows(values, "criteria", CRITERION):
            worded["criteria"] = gettext("Add at least one criterion with its weight.")
    if "kpis" in worded and "unique" in worded["kpis"]:
        worded["kpis"] = gettext("Give each indicator a different name.")
    if FORM in worded and "review_deadline" in worded[FORM]:
        del worded[FORM]
        worded["review_deadline"] = gettext("The review deadline must be after the call closes.")
    return worded


def parse(values: Mapping[str, str], zone: ZoneInfo, gettext: Gettext) -> ChallengeCreate:
    """The API's model from the form; ``FormInvalid`` naming each bad field."""
    try:
        return validate(ChallengeCreate, payload(values, zone), gettext, MISSING)
    except FormInvalid as invalid:
        raise FormInvalid(reword(invalid.errors, values, gettext)) from None


def from_challenge(challenge: ChallengePublic, zone: ZoneInfo) -> dict[str, str]:
    """A stored draft as the form shows it."""
    values = {
        "title": challenge.title,
        "problem_statement": challenge.problem_statement,
        "test_bed": challenge.test_bed,
        "pilot_budget_cap_eur": f"{challenge.pilot_budget_cap_eur.normalize():f}",
        "max_pilots": str(challenge.max_pilots),
        "proposals_close_at": local_input(challenge.proposals_close_at, zone),
        "review_deadline": local_input(challenge.review_deadline, zone),
    }
    for i, c in enumerate(challenge.criteria):
        values.update(
            {
                f"criteria.{i}.name": c.name,
                f"criteria.{i}.description": c.description,
                f"criteria.{i}.weight": str(c.weight),
            }
        )
    for i, k in enumerate(challenge.kpis):
        values.update(
            {
                f"kpis.{i}.name": k.name,
                f"kpis.{i}.unit": k.unit,
                f"kpis.{i}.target": f"{k.target:g}",
                f"kpis.{i}.direction": k.direction,
            }
        )
    return values


def weight_total(values: Mapping[str, str]) -> int | None:
    """The sum of the weights typed, for the page to show beside them (the script keeps
    it up to date as they are typed); None while one is not a whole number."""
    total = 0
    for row in _rows(values, "criteria", CRITERION):
        try:
            total += int(row["weight"] or 0)
        except ValueError:
            return None
    return total


def blank_form(values: Mapping[str, str] | None = None) -> Form:
    return Form(dict(values or {}), {})
