"""The Dutch wording of every notification: ``English`` with each method said in Dutch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from schemas.common import ChallengePhase, PilotDecisionKind, PilotStatus
from schemas.review import ProposalEvaluation
from service.notifications.messages.en import (
    LISTED_PER_CHALLENGE,
    English,
    OverdueChallenge,
    Text,
    excerpt,
)


def _q(text: str) -> str:
    return f"\u201c{text}\u201d"


class Dutch(English):
    locale = "nl"
    format_locale = "nl_NL"

    def milestones(self, count: int) -> str:
        return f"{count} mijlpaal" if count == 1 else f"{count} mijlpalen"

    # -- screening and requests for information ----------------------------------------

    def proposal_screened(
        self, *, proposal: str, challenge: str, eligible: bool, reason: str | None
    ) -> Text:
        verdict = "toelaatbaar" if eligible else "niet toelaatbaar"
        return Text(
            title=f"Uw voorstel {_q(proposal)} is beoordeeld: {verdict}",
            body=(reason or f"De gemeente vond uw voorstel {verdict}.")
            + f"\n\nUitdaging: {challenge}",
        )

    def no_reply_reason(self, *, reply_deadline: datetime, question: str) -> str:
        return (
            f"Geen antwoord op de vraag van de gemeente v\u00f3\u00f3r "
            f"{self.moment(reply_deadline)}: {_q(question)}"
        )

    def screened_out_no_reply(self, *, proposal: str, reason: str) -> Text:
        return Text(title=f"Uw voorstel {_q(proposal)} is afgewezen", body=reason)

    def info_requested(self, *, proposal: str, question: str, reply_deadline: datetime) -> Text:
        return Text(
            title=f"De gemeente heeft een vraag over {_q(proposal)}",
            body=f"{question}\n\nAntwoord v\u00f3\u00f3r {self.moment(reply_deadline)}; "
            "een voorstel zonder antwoord wordt dan afgewezen.",
        )

    def info_answered(self, *, proposal: str, question: str, answer: str) -> Text:
        return Text(
            title=f"{_q(proposal)} heeft uw vraag beantwoord",
            body=f"Vraag: {question}\n\nAntwoord: {answer}",
        )

    # -- the review --------------------------------------------------------------------

    def assignment(self, *, proposal: str, challenge: str, review_deadline: datetime) -> Text:
        return Text(
            title=f"Beoordeel {_q(proposal)}",
            body=f"U bent gevraagd een voorstel voor {_q(challenge)} te beoordelen "
            f"v\u00f3\u00f3r {self.moment(review_deadline)}. Hebt u een belangenconflict, "
            "meld dat dan bij de toewijzing.",
        )

    def assignment_unfilled(self, *, proposal: str) -> Text:
        return Text(
            title=f"Geen vrije beoordelaar voor {_q(proposal)}",
            body="Een beoordelaar meldde een belangenconflict en alle anderen in de pool "
            "beoordelen dit voorstel al. Voeg een beoordelaar toe.",
        )

    def review_reminder(
        self, *, challenge: str, days_before: int, to_score: int, review_deadline: datetime
    ) -> Text:
        dagen = "dag" if days_before == 1 else "dagen"
        voorstellen = "voorstel" if to_score == 1 else "voorstellen"
        return Text(
            title=f"Nog {days_before} {dagen} om {_q(challenge)} te beoordelen",
            body=f"U hebt nog {to_score} {voorstellen} te beoordelen. "
            f"De beoordeling sluit op {self.moment(review_deadline)}.",
        )

    def selection_reminder(self, *, challenge: str, waiting_since: datetime) -> Text:
        return Text(
            title=f"{_q(challenge)} wacht op uw shortlist",
            body=f"De beoordeling eindigde op {self.moment(waiting_since)}; de ranglijst is "
            "klaar en elke startup wacht op bericht. Keur de shortlist goed om de pilots "
            "te starten.",
        )

    # -- selection ---------------------------------------------------------------------

    def not_eligible_outcome(
        self, *, proposal: str, screening_reason: str | None, challenge: str, criteria: int
    ) -> Text:
        reason = screening_reason or "Het voorstel kwam niet door de toelatingscheck."
        return Text(
            title=f"{_q(proposal)} was niet toelaatbaar",
            body=f"Uw voorstel is niet meegenomen in de selectie. Reden: {reason}"
            + self._challenge_line(challenge, criteria),
        )

    def selection_outcome(
        self,
        *,
        proposal: str,
        selected: bool,
        evaluation: ProposalEvaluation,
        challenge: str,
        criteria: int,
    ) -> Text:
        lines = [
            "Gefeliciteerd: uw voorstel is gekozen voor een pilot."
            if selected
            else "Uw voorstel is deze keer niet gekozen voor een pilot.",
        ]
        if evaluation.rank is not None:
            lines.append(
                f"Plaats {evaluation.rank} van {evaluation.ranked_count}; gewogen score "
                f"{self.score(evaluation.weighted_score)} / 10."
            )
        lines.append("Scores per criterium (gemiddelde van de beoordelaars):")
        for criterion in evaluation.criteria:
            mean = (
                "niet beoordeeld"
                if criterion.mean_score is None
                else self.score(criterion.mean_score)
            )
            lines.append(f"  - {criterion.name} (gewicht {criterion.weight}%): {mean}")
        if evaluation.comments:
            lines.append("Opmerkingen:")
            lines += [f"  - {c.evaluator}, {c.criterion}: {c.comment}" for c in evaluation.comments]
        verdict = "is gekozen" if selected else "is niet gekozen"
        return Text(
            title=f"{_q(proposal)} {verdict}",
            body="\n".join(lines) + self._challenge_line(challenge, criteria),
        )

    def score(self, value: float | None) -> str:
        return "" if value is None else f"{value:.2f}".replace(".", ",")

    def _challenge_line(self, challenge: str, criteria: int) -> str:
        return f"\n\nUitdaging: {challenge} ({criteria} criteria)"

    def selected_for_freed_slot(self, *, proposal: str) -> Text:
        return Text(
            title=f"{_q(proposal)} is gekozen",
            body="Er kwam een pilotplaats vrij en de gemeente koos uw voorstel. "
            "De gemeente stuurt de pilotovereenkomst.",
        )

    # -- pilots ------------------------------------------------------------------------

    def pilot_agreement(
        self,
        *,
        proposal: str,
        starts_at: datetime,
        ends_at: datetime,
        budget_eur: Decimal,
        milestones: int,
    ) -> Text:
        return Text(
            title=f"Uw pilotovereenkomst voor {_q(proposal)} staat klaar",
            body=f"Van {self.moment(starts_at)} tot {self.moment(ends_at)}, budget "
            f"{self.euros(budget_eur)}, {self.milestones(milestones)}. "
            "Accepteer of weiger haar op de pagina van de pilot.",
        )

    def pilot_accepted(self, *, pilot: str, starts_at: datetime | None) -> Text:
        return Text(
            title=f"De startup heeft de pilotovereenkomst voor {_q(pilot)} geaccepteerd",
            body=f"De pilot begint op {self.moment(starts_at)}." if starts_at else "",
        )

    DECISIONS: ClassVar[dict[str, str]] = {
        PilotDecisionKind.SCALE_UP: "wordt opgeschaald",
        PilotDecisionKind.EXTEND: "wordt verlengd",
        PilotDecisionKind.STOP: "wordt gestopt",
        PilotDecisionKind.DECLINED: "is door de startup geweigerd",
        PilotDecisionKind.CANCELLED: "is gestopt: de uitdaging is geannuleerd",
    }

    def pilot_decision(
        self, *, pilot: str, decision: str, reason: str, new_end_at: datetime | None
    ) -> Text:
        details = ""
        if decision == PilotDecisionKind.EXTEND and new_end_at:
            details = f"\nNieuwe einddatum: {self.moment(new_end_at)}."
        return Text(
            title=f"De pilot {_q(pilot)} {self.DECISIONS.get(decision, decision)}",
            body=f"Reden: {reason}{details}",
        )

    def milestone_overdue(self, *, pilot: str, milestone: str, due_at: datetime) -> Text:
        return Text(
            title=f"Mijlpaal te laat in {_q(pilot)}: {milestone}",
            body=f"Hij moest klaar zijn op {self.moment(due_at)} en is niet afgevinkt. "
            "De startup vinkt hem af in de pilot.",
        )

    def pilot_evaluation(self, *, pilot: str) -> Text:
        return Text(
            title=f"Evalueer de pilot {_q(pilot)}",
            body="De pilot is afgelopen. Geef een score van 0 tot 10 op de KPI-resultaten, "
            "met een toelichting; de gemeente besluit dan op te schalen, te verlengen of "
            "te stoppen.",
        )

    def pilot_decision_due(self, *, pilot: str) -> Text:
        return Text(
            title=f"De pilot {_q(pilot)} is afgelopen: uw besluit",
            body="De KPI-resultaten, de scores van de beoordelaars en wat bewoners zeiden "
            "staan bij de pilot. Besluit: opschalen, verlengen of stoppen.",
        )

    # -- phases and statuses, told to followers ----------------------------------------

    CHALLENGE_PHASES: ClassVar[dict[str, tuple[str, str]]] = {
        ChallengePhase.OPEN: (
            "\u201c{title}\u201d staat open voor voorstellen",
            "Startups kunnen oplossingen voorstellen tot {close}. Bewoners kunnen tot dan "
            "zeggen wat zij van het probleem vinden.",
        ),
        ChallengePhase.REVIEW: (
            "De oproep voor \u201c{title}\u201d is gesloten",
            "De voorstellen worden beoordeeld.",
        ),
        ChallengePhase.SELECTION: (
            "\u201c{title}\u201d: de voorstellen zijn gerangschikt",
            "De gemeente kiest welke pilots er komen.",
        ),
        ChallengePhase.PILOTING: (
            "\u201c{title}\u201d: de pilots zijn gekozen",
            "De gekozen pilots worden voorbereid op de proeftuin.",
        ),
        ChallengePhase.CANCELLED: (
            "\u201c{title}\u201d is geannuleerd",
            "De gemeente heeft de uitdaging geannuleerd.",
        ),
    }
    OTHER_CHALLENGE_PHASE = ("\u201c{title}\u201d is nu in fase {phase}", "")

    PILOT_STATUSES: ClassVar[dict[str, tuple[str, str]]] = {
        PilotStatus.AGREEMENT: (
            "\u201c{title}\u201d: pilot \u201c{pilot}\u201d is gekozen",
            "De gemeente en de startup spreken de voorwaarden van de pilot af.",
        ),
        PilotStatus.RUNNING: (
            "Pilot \u201c{pilot}\u201d draait in de proeftuin",
            "Hij hoort bij \u201c{title}\u201d. Zolang hij draait kunt u zeggen wat u ervan "
            "vindt, met een waardering als u wilt.",
        ),
        PilotStatus.EVALUATION: (
            "Pilot \u201c{pilot}\u201d is afgelopen en wordt ge\u00ebvalueerd",
            "Hij hoort bij \u201c{title}\u201d. De gemeente besluit of hij wordt "
            "opgeschaald, verlengd of gestopt.",
        ),
        PilotStatus.SCALE_UP: (
            "Besluit: pilot \u201c{pilot}\u201d wordt opgeschaald",
            "Hij hoort bij \u201c{title}\u201d.",
        ),
        PilotStatus.STOPPED: (
            "Besluit: pilot \u201c{pilot}\u201d wordt gestopt",
            "Hij hoort bij \u201c{title}\u201d.",
        ),
    }
    OTHER_PILOT_STATUS = (
        "Pilot \u201c{pilot}\u201d is nu {phase}",
        "Hij hoort bij \u201c{title}\u201d.",
    )

    def _with_reason(self, title: str, body: str, reason: str | None) -> Text:
        if reason:
            body = f"{body}\n\nReden: {reason}".strip()
        return Text(title=title, body=body)

    def outcome_report(self, *, challenge: str) -> Text:
        return Text(
            title=f"{_q(challenge)} is afgesloten: het eindverslag is uit",
            body="Wat er is geprobeerd, wat bewoners zeiden, hoe de gemeente antwoordde en "
            "wat er is besloten. U kunt uw mening geven over de uitkomst.",
        )

    # -- the city's turn ---------------------------------------------------------------

    def call_closed(self, *, challenge: str, proposals: int) -> Text:
        return Text(
            title=f"De oproep voor {_q(challenge)} is gesloten: beoordeel de voorstellen",
            body="Controleer elk voorstel op toelaatbaarheid en wijs de beoordelaars toe; "
            "de beoordeling loopt tot de deadline.",
        )

    def shortlist_due(self, *, challenge: str) -> Text:
        return Text(
            title=f"{_q(challenge)}: de ranglijst is klaar voor uw shortlist",
            body="De beoordeling is rond. Keur de shortlist goed om de pilots te starten; "
            "elke startup wacht op bericht.",
        )

    def question_asked(self, *, challenge: str, question: str) -> Text:
        return Text(
            title=f"Een vraag over {_q(challenge)}",
            body=f"{_q(excerpt(question))}\n\nBeantwoord haar openbaar zolang de oproep open is.",
        )

    def question_answered(self, *, challenge: str, question: str, answer: str) -> Text:
        return Text(
            title=f"De gemeente heeft uw vraag over {_q(challenge)} beantwoord",
            body=f"U vroeg: {_q(excerpt(question))}\n\nHet antwoord: {_q(excerpt(answer, 2000))}",
        )

    def input_received(self, *, challenge: str, said: str) -> Text:
        return Text(
            title=f"Nieuwe inbreng van een bewoner over {_q(challenge)}",
            body=f"{_q(excerpt(said))}\n\nBeantwoord haar openbaar, of laat weten dat u "
            "erover nadenkt.",
        )

    # -- residents' input --------------------------------------------------------------

    def _you_said(self, said: str) -> str:
        return f"\n\nU zei: {_q(excerpt(said))}"

    def input_answered(self, *, challenge: str, said: str, answer: str) -> Text:
        return Text(
            title=f"De gemeente heeft uw inbreng over {_q(challenge)} beantwoord",
            body=f"Het antwoord van de gemeente: {_q(excerpt(answer, 2000))}"
            + self._you_said(said),
        )

    def input_under_consideration(self, *, challenge: str, said: str) -> Text:
        return Text(
            title=f"De gemeente overweegt uw inbreng over {_q(challenge)}",
            body="De gemeente bekijkt wat u zei en antwoordt u openbaar." + self._you_said(said),
        )

    def input_hidden(self, *, challenge: str, said: str, reason: str) -> Text:
        return Text(
            title=f"Uw inbreng over {_q(challenge)} is verborgen",
            body=f"De gemeente heeft haar van de openbare pagina gehaald. De reden: {_q(reason)}"
            + self._you_said(said),
        )

    def input_reported(self, *, challenge: str, said: str, reason: str) -> Text:
        return Text(
            title=f"Een bewoner meldde inbreng over {_q(challenge)}",
            body=f"Opgegeven reden: {excerpt(reason)}\n\n"
            f"De inbreng: {_q(excerpt(said))}\n\n"
            "U kunt haar verbergen met een reden die de schrijver ziet, of haar laten staan.",
        )

    def inputs_overdue(
        self, *, challenges: Sequence[OverdueChallenge], as_of: datetime, base_url: str
    ) -> Text:
        total = sum(len(c.inputs) for c in challenges)
        lines = [
            f"{total} keer inbreng van bewoners wacht op het antwoord van de gemeente, "
            f"voorbij de antwoordtermijn, op {self.moment(as_of)}.",
        ]
        for challenge in challenges:
            count = len(challenge.inputs)
            lines.append("")
            lines.append(
                f"{_q(challenge.title)}: {count} te laat (termijn "
                f"{challenge.response_target_working_days} werkdagen)"
            )
            for item in challenge.inputs[:LISTED_PER_CHALLENGE]:
                lines.append(
                    f"  - #{item.id}, uiterlijk {self.day(item.respond_by)}: "
                    f"{_q(excerpt(item.body, 160))}"
                )
            if count > LISTED_PER_CHALLENGE:
                lines.append(f"  \u2026 en nog {count - LISTED_PER_CHALLENGE}")
            lines.append(
                f"  Beantwoord ze: {base_url}/city/challenges/{challenge.id}/inputs?overdue=true"
            )
        return Text(title=f"{total} keer inbreng voorbij de antwoordtermijn", body="\n".join(lines))

    # -- mail --------------------------------------------------------------------------

    def digest_subject(self, *, count: int, day: str) -> str:
        berichten = "bericht" if count == 1 else "berichten"
        return f"Proeftuin: {count} {berichten} ({day})"

    def mail_frame(self) -> dict[str, str]:
        return {
            "lang": self.locale,
            "hello": "Beste",
            "more": "Open de pagina",
            "digest_one": "Uw Proeftuin-overzicht van {day}: {count} bericht.",
            "digest_many": "Uw Proeftuin-overzicht van {day}: {count} berichten.",
            "account": "U krijgt deze e-mail van Proeftuin vanwege uw account {email}.",
            "daily": "U koos voor \u00e9\u00e9n overzicht per dag.",
            "each": "U koos voor een e-mail per bericht.",
            "stop": "Geen e-mail meer van Proeftuin, of een uitdaging niet meer volgen",
        }
