"""URL paths that more than one layer must agree on.

The unsubscribe page is linked from every mail (notifications) and serves the only
HTML forms, which CSRF protection (security) must recognise; both read the path here,
so security needs no import of a domain.
"""

from __future__ import annotations

UNSUBSCRIBE_PATH = "/api/unsubscribe"
# The page a password-reset mail links to (the mail is composed in the domain core).
PASSWORD_RESET_PATH = "/password-reset/new"
# The page an invitation links to, where the invited person chooses a password.
INVITATION_PATH = "/invitation"
# The page the sign-up mail links to, confirming the address.
VERIFY_EMAIL_PATH = "/verify-email"
