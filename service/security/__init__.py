"""Protections that apply across the app: security headers and CSRF for HTML forms."""

from service.security.csrf import CSRF_FIELD, EXCLUDE_FROM_CSRF, csrf_config, csrf_token
from service.security.headers import security_headers

__all__ = ["CSRF_FIELD", "EXCLUDE_FROM_CSRF", "csrf_config", "csrf_token", "security_headers"]
