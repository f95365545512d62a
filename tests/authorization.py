"""Who may call what: the expected authorization table, reviewed by a person.

Every endpoint of the OpenAPI schema must appear here; a new endpoint without a row
fails the matrix test until someone decides who may call it.
"""

from __future__ import annotations

PUBLIC = frozenset({"anonymous", "city", "startup", "evaluator", "resident"})
SIGNED_IN = frozenset({"city", "startup", "evaluator", "resident"})
CITY = frozenset({"city"})
STARTUP = frozenset({"startup"})
EVALUATOR = frozenset({"evaluator"})
RESIDENT = frozenset({"resident"})

EXPECTED: dict[str, frozenset[str]] = {
    "GET /api/health": PUBLIC,
    "POST /api/auth/register": PUBLIC,
    "POST /api/auth/login": PUBLIC,
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
