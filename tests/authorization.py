"""Who may call what: the expected authorization table, reviewed by a person.

Every endpoint of the OpenAPI schema must appear here (``EXPECTED``), and every page
and form of the web interface (``PAGES``); a new endpoint or page without a row fails
its matrix test (tests/integration/test_authorization_matrix.py,
tests/web/test_page_matrix.py) until someone decides who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC = frozenset({"anonymous", "city", "startup", "evaluator", "resident"})
SIGNED_IN = frozenset({"city", "startup", "evaluator", "resident"})
CITY = frozenset({"city"})
STARTUP = frozenset({"startup"})
EVALUATOR = frozenset({"evaluator"})
RESIDENT = frozenset({"resident"})

EXPECTED: dict[str, frozenset[str]] = {
    "GET /api/health": PUBLIC,
    "GET /api/ready": PUBLIC,
    "POST /api/auth/register": PUBLIC,
    "POST /api/auth/login": PUBLIC,
    "POST /api/auth/password-reset": PUBLIC,  # the same answer for any address
    "POST /api/auth/password-reset/confirm": PUBLIC,  # by the signed token in the mail
    "GET /api/me": SIGNED_IN,
    # challenges
    "GET /api/challenges": PUBLIC,
    "POST /api/challenges": CITY,
    "GET /api/challenges/{challenge_id}": PUBLIC,
    "PATCH /api/challenges/{challenge_id}": CITY,
    "POST /api/challenges/{challenge_id}/publish": CITY,
    "POST /api/challenges/{challenge_id}/cancel": CITY,
    # proposals
    "POST /api/challenges/{challenge_id}/proposals": STARTUP,
    "GET /api/challenges/{challenge_id}/proposals": CITY | STARTUP | EVALUATOR,
    "GET /api/me/proposals": STARTUP,
    "GET /api/proposals/{proposal_id}": SIGNED_IN,
    "PATCH /api/proposals/{proposal_id}": STARTUP,
    "POST /api/proposals/{proposal_id}/withdraw": STARTUP,
    # questions
    "POST /api/challenges/{challenge_id}/questions": SIGNED_IN,
    "GET /api/challenges/{challenge_id}/questions": PUBLIC,
    "POST /api/questions/{question_id}/answer": CITY,
    # review and selection
    "POST /api/proposals/{proposal_id}/screening": CITY,
    "POST /api/proposals/{proposal_id}/info-requests": CITY,
    "POST /api/info-requests/{request_id}/answer": STARTUP,
    "GET /api/proposals/{proposal_id}/history": CITY | STARTUP,
    "POST /api/challenges/{challenge_id}/evaluators": CITY,
    "GET /api/challenges/{challenge_id}/assignments": CITY,
    "GET /api/me/assignments": EVALUATOR,
    "GET /api/assignments/{assignment_id}": EVALUATOR,
    "POST /api/assignments/{assignment_id}/conflict": EVALUATOR,
    "PUT /api/assignments/{assignment_id}/scores": EVALUATOR,
    "GET /api/challenges/{challenge_id}/ranking": CITY,
    "POST /api/challenges/{challenge_id}/shortlist": CITY,
    # pilots
    "GET /api/pilots/{pilot_id}": PUBLIC,
    "POST /api/pilots/{pilot_id}/agreement": CITY,
    "POST /api/pilots/{pilot_id}/accept": STARTUP,
    "POST /api/pilots/{pilot_id}/decline": STARTUP,
    "POST /api/pilots/{pilot_id}/milestones/{milestone_id}/complete": STARTUP,
    "POST /api/pilots/{pilot_id}/kpi-reports": STARTUP,
    "POST /api/pilots/{pilot_id}/evaluators": CITY,
    "PUT /api/pilots/{pilot_id}/evaluation": EVALUATOR,
    "POST /api/pilots/{pilot_id}/decision": CITY,
    "POST /api/challenges/{challenge_id}/pilots": CITY,
    "GET /api/challenges/{challenge_id}/report": PUBLIC,
    "GET /api/audit": CITY,
    # notifications
    "GET /api/me/notifications": SIGNED_IN,
    "POST /api/me/notifications/{notification_id}/read": SIGNED_IN,
    "POST /api/me/notifications/read-all": SIGNED_IN,
    "GET /api/me/email-preference": SIGNED_IN,
    "PUT /api/me/email-preference": SIGNED_IN,
    "GET /api/unsubscribe": PUBLIC,  # by the signed token in the mail, not a login
    "POST /api/unsubscribe": PUBLIC,  # one-click (RFC 8058): no cookies, no CSRF token
    "POST /api/unsubscribe/confirm": PUBLIC,  # the page's form: needs its CSRF token
    "POST /api/unsubscribe/unfollow/{challenge_id}": PUBLIC,  # its other form: the same
    # residents
    "POST /api/challenges/{challenge_id}/follow": RESIDENT,
    "DELETE /api/challenges/{challenge_id}/follow": RESIDENT,
    "GET /api/me/follows": RESIDENT,
    "POST /api/challenges/{challenge_id}/inputs": RESIDENT,
    "GET /api/challenges/{challenge_id}/inputs": PUBLIC,
    "POST /api/pilots/{pilot_id}/inputs": RESIDENT,
    "GET /api/pilots/{pilot_id}/inputs": PUBLIC,
    "GET /api/inputs/{input_id}": PUBLIC,
    "GET /api/me/inputs": RESIDENT,
    "POST /api/inputs/{input_id}/endorse": RESIDENT,
    "POST /api/inputs/{input_id}/report": RESIDENT,
    "POST /api/inputs/{input_id}/response": CITY,
    "POST /api/inputs/{input_id}/consider": CITY,
    "POST /api/inputs/{input_id}/hide": CITY,
    "POST /api/inputs/{input_id}/restore": CITY,
    "GET /api/challenges/{challenge_id}/engagement": PUBLIC,
}

# HTML forms: a browser loads the page (which sets the CSRF cookie) before it posts the
# form; the matrix does the same, so the CSRF check does not count as a refusal.
FORM_PAGES: dict[str, str] = {
    "POST /api/unsubscribe/confirm": "/api/unsubscribe",
    "POST /api/unsubscribe/unfollow/{challenge_id}": "/api/unsubscribe",
}


# -- the web interface ------------------------------------------------------------------
# Every page (GET) and form action (POST) the app serves outside /api, /schema and
# /static, with who may use it; a new page without a row fails tests/web/test_page_matrix.py.
# A signed-in account of another role gets the 403 page; an anonymous visitor on a page
# for accounts is sent to /login?next=... . Where a page does what an API endpoint does,
# ``api`` names it and the page must let in exactly the roles the API does.


@dataclass(frozen=True)
class Page:
    roles: frozenset[str]
    api: str | None = None
    """The endpoint whose rule this page follows (its row above must have the same roles)."""
    reached_by: frozenset[str] | None = None
    """Who opens it on real records, where a rule about the record narrows ``roles``."""

    @property
    def reachers(self) -> frozenset[str]:
        return self.roles if self.reached_by is None else self.reached_by


PAGES: dict[str, Page] = {
    # public pages and signing in
    "GET /": Page(PUBLIC, "GET /api/challenges"),
    "GET /register": Page(PUBLIC, "POST /api/auth/register"),
    "POST /register": Page(PUBLIC, "POST /api/auth/register"),
    "GET /login": Page(PUBLIC, "POST /api/auth/login"),
    "POST /login": Page(PUBLIC, "POST /api/auth/login"),
    "POST /logout": Page(PUBLIC),  # signing out is harmless for anyone
    "GET /password-reset": Page(PUBLIC, "POST /api/auth/password-reset"),
    "POST /password-reset": Page(PUBLIC, "POST /api/auth/password-reset"),
    "GET /password-reset/sent": Page(PUBLIC),  # says only "if there is an account..."
    "GET /password-reset/new": Page(PUBLIC, "POST /api/auth/password-reset/confirm"),
    "POST /password-reset/new": Page(PUBLIC, "POST /api/auth/password-reset/confirm"),
    "GET /invitation": Page(PUBLIC),  # by the signed token in the invitation mail
    "POST /invitation": Page(PUBLIC),  # the same
    "GET /verify-email": Page(PUBLIC),  # by the signed token in the sign-up mail
    "GET /challenges/{challenge_id}": Page(PUBLIC, "GET /api/challenges/{challenge_id}"),
    "GET /challenges/{challenge_id}/report": Page(
        PUBLIC, "GET /api/challenges/{challenge_id}/report"
    ),
    "GET /pilots/{pilot_id}": Page(PUBLIC, "GET /api/pilots/{pilot_id}"),
    # every account
    "GET /me": Page(SIGNED_IN, "GET /api/me"),
    "POST /me/email-preference": Page(SIGNED_IN, "PUT /api/me/email-preference"),
    "POST /me/notifications/{notification_id}/read": Page(
        SIGNED_IN, "POST /api/me/notifications/{notification_id}/read"
    ),
    "POST /me/notifications/read-all": Page(SIGNED_IN, "POST /api/me/notifications/read-all"),
    # A resident reads no proposal (403 on each, as through the API): the city, its author
    # and its evaluators do.
    "GET /proposals/{proposal_id}": Page(
        SIGNED_IN, "GET /api/proposals/{proposal_id}", reached_by=CITY | STARTUP | EVALUATOR
    ),
    # residents
    "POST /challenges/{challenge_id}/inputs": Page(
        RESIDENT, "POST /api/challenges/{challenge_id}/inputs"
    ),
    "POST /challenges/{challenge_id}/follow": Page(
        RESIDENT, "POST /api/challenges/{challenge_id}/follow"
    ),
    "POST /challenges/{challenge_id}/unfollow": Page(
        RESIDENT, "DELETE /api/challenges/{challenge_id}/follow"
    ),
    "POST /inputs/{input_id}/endorse": Page(RESIDENT, "POST /api/inputs/{input_id}/endorse"),
    "GET /inputs/{input_id}/report": Page(RESIDENT, "POST /api/inputs/{input_id}/report"),
    "POST /inputs/{input_id}/report": Page(RESIDENT, "POST /api/inputs/{input_id}/report"),
    "POST /pilots/{pilot_id}/inputs": Page(RESIDENT, "POST /api/pilots/{pilot_id}/inputs"),
    # startups
    "GET /startup": Page(STARTUP, "GET /api/me/proposals"),
    "GET /challenges/{challenge_id}/proposals/new": Page(
        STARTUP, "POST /api/challenges/{challenge_id}/proposals"
    ),
    "POST /challenges/{challenge_id}/proposals/new": Page(
        STARTUP, "POST /api/challenges/{challenge_id}/proposals"
    ),
    "POST /challenges/{challenge_id}/proposals/draft/discard": Page(STARTUP),  # pages only
    "GET /proposals/{proposal_id}/edit": Page(STARTUP, "PATCH /api/proposals/{proposal_id}"),
    "POST /proposals/{proposal_id}/edit": Page(STARTUP, "PATCH /api/proposals/{proposal_id}"),
    "GET /proposals/{proposal_id}/withdraw": Page(
        STARTUP, "POST /api/proposals/{proposal_id}/withdraw"
    ),
    "POST /proposals/{proposal_id}/withdraw": Page(
        STARTUP, "POST /api/proposals/{proposal_id}/withdraw"
    ),
    "POST /info-requests/{request_id}/answer": Page(
        STARTUP, "POST /api/info-requests/{request_id}/answer"
    ),
    "POST /pilots/{pilot_id}/accept": Page(STARTUP, "POST /api/pilots/{pilot_id}/accept"),
    "GET /pilots/{pilot_id}/decline": Page(STARTUP, "POST /api/pilots/{pilot_id}/decline"),
    "POST /pilots/{pilot_id}/decline": Page(STARTUP, "POST /api/pilots/{pilot_id}/decline"),
    "GET /pilots/{pilot_id}/milestones/{milestone_id}/complete": Page(
        STARTUP, "POST /api/pilots/{pilot_id}/milestones/{milestone_id}/complete"
    ),
    "POST /pilots/{pilot_id}/milestones/{milestone_id}/complete": Page(
        STARTUP, "POST /api/pilots/{pilot_id}/milestones/{milestone_id}/complete"
    ),
    "GET /pilots/{pilot_id}/kpi-reports/new": Page(
        STARTUP, "POST /api/pilots/{pilot_id}/kpi-reports"
    ),
    "POST /pilots/{pilot_id}/kpi-reports/new": Page(
        STARTUP, "POST /api/pilots/{pilot_id}/kpi-reports"
    ),
    # evaluators
    "GET /evaluator": Page(EVALUATOR, "GET /api/me/assignments"),
    "GET /evaluator/assignments/{assignment_id}": Page(
        EVALUATOR, "GET /api/assignments/{assignment_id}"
    ),
    "POST /evaluator/assignments/{assignment_id}": Page(
        EVALUATOR, "PUT /api/assignments/{assignment_id}/scores"
    ),
    "GET /evaluator/assignments/{assignment_id}/conflict": Page(
        EVALUATOR, "POST /api/assignments/{assignment_id}/conflict"
    ),
    "POST /evaluator/assignments/{assignment_id}/conflict": Page(
        EVALUATOR, "POST /api/assignments/{assignment_id}/conflict"
    ),
    "GET /evaluator/pilots/{pilot_id}": Page(EVALUATOR, "PUT /api/pilots/{pilot_id}/evaluation"),
    "POST /evaluator/pilots/{pilot_id}": Page(EVALUATOR, "PUT /api/pilots/{pilot_id}/evaluation"),
    # the city console
    "GET /city": Page(CITY),  # what waits for the city: no one endpoint
    "GET /city/accounts": Page(CITY),  # every account; the city invites and switches off
    "POST /city/accounts": Page(CITY),
    "POST /city/accounts/{user_id}/deactivate": Page(CITY),
    "POST /city/accounts/{user_id}/activate": Page(CITY),
    "GET /city/challenges/new": Page(CITY, "POST /api/challenges"),
    "POST /city/challenges": Page(CITY, "POST /api/challenges"),
    "GET /city/challenges/{challenge_id}": Page(CITY),  # the console of one challenge
    "GET /city/challenges/{challenge_id}/edit": Page(CITY, "PATCH /api/challenges/{challenge_id}"),
    "POST /city/challenges/{challenge_id}/edit": Page(CITY, "PATCH /api/challenges/{challenge_id}"),
    "GET /city/challenges/{challenge_id}/publish": Page(
        CITY, "POST /api/challenges/{challenge_id}/publish"
    ),
    "POST /city/challenges/{challenge_id}/publish": Page(
        CITY, "POST /api/challenges/{challenge_id}/publish"
    ),
    "GET /city/challenges/{challenge_id}/cancel": Page(
        CITY, "POST /api/challenges/{challenge_id}/cancel"
    ),
    "POST /city/challenges/{challenge_id}/cancel": Page(
        CITY, "POST /api/challenges/{challenge_id}/cancel"
    ),
    "GET /city/challenges/{challenge_id}/review": Page(
        CITY, "GET /api/challenges/{challenge_id}/assignments"
    ),
    "POST /city/challenges/{challenge_id}/evaluators": Page(
        CITY, "POST /api/challenges/{challenge_id}/evaluators"
    ),
    "GET /city/proposals/{proposal_id}/screening": Page(
        CITY, "POST /api/proposals/{proposal_id}/screening"
    ),
    "POST /city/proposals/{proposal_id}/screening": Page(
        CITY, "POST /api/proposals/{proposal_id}/screening"
    ),
    "GET /city/challenges/{challenge_id}/ranking": Page(
        CITY, "GET /api/challenges/{challenge_id}/ranking"
    ),
    "POST /city/challenges/{challenge_id}/shortlist": Page(
        CITY, "POST /api/challenges/{challenge_id}/shortlist"
    ),
    "GET /city/pilots/{pilot_id}": Page(CITY, "POST /api/pilots/{pilot_id}/agreement"),
    "POST /city/pilots/{pilot_id}/agreement": Page(CITY, "POST /api/pilots/{pilot_id}/agreement"),
    "POST /city/pilots/{pilot_id}/decision": Page(CITY, "POST /api/pilots/{pilot_id}/decision"),
    "GET /city/challenges/{challenge_id}/inputs": Page(CITY),  # hidden input too
    "GET /city/inputs/{input_id}": Page(CITY, "POST /api/inputs/{input_id}/response"),
    "POST /city/inputs/{input_id}/response": Page(CITY, "POST /api/inputs/{input_id}/response"),
    "POST /city/inputs/{input_id}/consider": Page(CITY, "POST /api/inputs/{input_id}/consider"),
    "POST /city/inputs/{input_id}/hide": Page(CITY, "POST /api/inputs/{input_id}/hide"),
    "POST /city/inputs/{input_id}/restore": Page(CITY, "POST /api/inputs/{input_id}/restore"),
    "POST /city/questions/{question_id}/answer": Page(
        CITY, "POST /api/questions/{question_id}/answer"
    ),
    "GET /city/challenges/{challenge_id}/audit": Page(CITY, "GET /api/audit"),
}
