"""HTML forms: what was typed, and the errors to show beside each field.

A page reads a form with ``await read_form(request)``, validates it with the JSON API's
own request model (``validate(Model, form, gettext)``) and calls the same domain command
as the API. A refusal, from the model (pydantic ``ValidationError``) or from the domain
(a ``FieldError`` naming fields), becomes
``{field: message}`` in the page's language with ``errors_from``; the page comes back
with ``Form(values, errors)``, and the macros in ``templates/macros/forms.html`` mark
each field (``aria-invalid``, ``aria-describedby``) and list the errors at the top.

Field names are the API's (``email``, ``password``, ``body``, ...): an error the API
would name ``criteria.1.weight`` is shown on the field ``criteria.1.weight``, and the
summary links to it by ``field_id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from litestar import Request
from pydantic import BaseModel, ValidationError

from schemas.passwords import MIN_PASSWORD_LENGTH
from service.errors import FieldError
from service.web.i18n import N_, Gettext

ModelT = TypeVar("ModelT", bound=BaseModel)

FORM = "form"
"""The key of an error about the whole form rather than one field."""
NEVER_ECHOED = frozenset({"password", "_csrf_token"})

# pydantic's error types, as a person filling in a form reads them.
_MESSAGES: dict[str, str] = {
    "missing": N_("Fill in this field."),
    "string_too_short": N_("Use at least %(min_length)s characters."),
    "string_too_long": N_("Use at most %(max_length)s characters."),
    "too_short": N_("Choose at least %(min_length)s."),
    "too_long": N_("Choose at most %(max_length)s."),
    "literal_error": N_("Choose one of the options."),
    "enum": N_("Choose one of the options."),
    "int_parsing": N_("Enter a whole number, like 12."),
    "int_type": N_("Enter a whole number, like 12."),
    "float_parsing": N_("Enter a number, like 12.5."),
    "decimal_parsing": N_("Enter an amount, like 12500."),
    "greater_than_equal": N_("Enter %(ge)s or more."),
    "less_than_equal": N_("Enter %(le)s or less."),
    "greater_than": N_("Enter more than %(gt)s."),
    "less_than": N_("Enter less than %(lt)s."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "datetime_parsing": N_("Enter a date and time."),
    "bool_parsing": N_("Choose yes or no."),
}
# Our own validators' messages that a page words for a person rather than a program.
_OWN_MESSAGES: tuple[tuple[str, str], ...] = (
    ("is too easy to guess", N_("This password is too easy to guess. Choose a longer one, "
                                "for example a few unrelated words.")),
    ("must be at least", N_("Use at least %(min_length)s characters.")),
    ("not a valid email address", N_("Enter an e-mail address like name@example.org.")),
    ("email address", N_("Enter an e-mail address like name@example.org.")),
)  # fmt: skip
_VALUE_ERROR_PREFIX = re.compile(r"^(?:Value error|Assertion failed), ")


@dataclass
class Form:
    """A form as it is shown: the values to fill in and the errors to mark."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def summary(self) -> list[tuple[str, str]]:
        """(field, message) in the order the fields were given."""
        return list(self.errors.items())

    @property
    def invalid(self) -> bool:
        return bool(self.errors)


def field_id(name: str) -> str:
    """The HTML id of a field: its name, with the characters an id-link dislikes replaced."""
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


async def read_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The posted form, one value a field (the last if repeated), CSRF token left out."""
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "_csrf_token"}


def echoed(values: Mapping[str, str]) -> dict[str, str]:
    """What a refused form shows again: everything typed, except the password."""
    return {k: v for k, v in values.items() if k not in NEVER_ECHOED}


def _friendly(kind: str, message: str, context: Mapping[str, Any], gettext: Gettext) -> str:
    template = _MESSAGES.get(kind)
    if template is None:
        message = _VALUE_ERROR_PREFIX.sub("", message)
        for fragment, own in _OWN_MESSAGES:
            if fragment in message:
                template = own
                break
    if template is None:
        translated = gettext(message)
        return translated[:1].upper() + translated[1:]
    try:
        return gettext(template) % {k: v for k, v in context.items()}
    except (KeyError, TypeError, ValueError):
        return gettext(template)


def _key(location: Iterable[Any]) -> str:
    return ".".join(str(part) for part in location) or FORM


def _kind(error: Any) -> str:
    """pydantic's error type, with an empty text (only spaces, stripped) as missing."""
    context = error.get("ctx") or {}
    if error["type"] == "string_too_short" and context.get("min_length") == 1:
        return "missing"
    return str(error["type"])


def errors_from(
    exc: ValidationError | FieldError,
    gettext: Gettext,
    missing: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``{field: message}`` from a model's or the domain's refusal, first message per
    field, in the page's language. ``missing`` words what to do about a field left empty
    (a message id each: "Enter your e-mail address"), so the summary says which field."""
    errors: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors(include_url=False):
            name = _key(error["loc"])
            kind = _kind(error)
            if kind == "missing" and missing and name in missing:
                errors.setdefault(name, gettext(missing[name]))
                continue
            context = dict(error.get("ctx") or {})
            context.setdefault("min_length", MIN_PASSWORD_LENGTH)
            errors.setdefault(name, _friendly(kind, error["msg"], context, gettext))
        return errors
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict) and "key" in item:
            name = str(item["key"]) or FORM
            message = str(item.get("message", exc.detail))
            context = {"min_length": MIN_PASSWORD_LENGTH}
            errors.setdefault(name, _friendly("", message, context, gettext))
    if not errors:
        errors[FORM] = gettext(str(exc.detail))
    return errors


def validate(
    model: type[ModelT],
    values: Mapping[str, Any],
    gettext: Gettext,
    missing: Mapping[str, str] | None = None,
) -> ModelT:
    """``model`` from the form's values; a ``FormInvalid`` with the messages if refused.
    Empty fields are left out, so the model's defaults and "missing" messages apply;
    ``missing`` as in ``errors_from``."""
    present = {k: v for k, v in values.items() if v != ""}
    try:
        return model.model_validate(present)
    except ValidationError as exc:
        raise FormInvalid(errors_from(exc, gettext, missing)) from None


class FormInvalid(Exception):
    """A form the page must show again, with these errors."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors
