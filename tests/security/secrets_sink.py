"""A real SMTP server that requires a login (refusing the first attempt if asked, as a
server having a bad moment would) and keeps every message it accepts."""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.feedback import SmtpSink


class LoginSmtpSink(SmtpSink):
    def __init__(self, port: int, user: str, password: str, refuse_first: bool = True) -> None:
        super().__init__(port)
        self.user, self.password = user, password
        self.refuse_first = refuse_first
        self.logins = 0

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
        self.logins += 1
        ok = (
            (self.logins > 1 or not self.refuse_first)
            and isinstance(data, LoginPassword)
            and data.login.decode() == self.user
            and data.password.decode() == self.password
        )
        return AuthResult(success=ok)

    def start(self) -> LoginSmtpSink:
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=False,  # a login without TLS, on purpose (warned about)
        )
        self._controller.start()
        return self
