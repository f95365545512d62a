"""English and Dutch for the pages: which language a request is shown in, the message
catalogues, and dates and amounts in the page's language and the city's time zone.

The catalogues are the ``.po`` files in ``translations/<lang>/LC_MESSAGES``, read once
when the app is built (``load_catalogues``) and kept in memory; no request reads a
file. English is the source language: its messages are the text in the templates.

A request's language: ``?lang=en|nl`` (remembered in a cookie), else the cookie, else
the best match in ``Accept-Language``, else English.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}
LANGUAGE_COOKIE = "proeftuin_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message for extraction where it is defined; it is translated where shown."""
    return message


Catalogues = Mapping[str, gettext.NullTranslations]
Gettext = Callable[[str], str]


def read_catalog(language: str, folder: Path = TRANSLATIONS) -> Catalog:
    """A language's messages: ``messages.po``, the one catalogue (and any ``.po`` file
    put beside it, merged after it); fuzzy entries are kept here and left out when
    compiled."""
    merged = Catalog(locale=language)
    files = sorted((folder / language / "LC_MESSAGES").glob("*.po"))
    for po in sorted(files, key=lambda f: f.name != "messages.po"):  # messages.po first
        with po.open("rb") as source:
            for message in read_po(source, locale=language):
                if message.id and message.id not in merged:
                    merged[message.id] = message
    return merged


def load_catalogues(folder: Path = TRANSLATIONS) -> dict[str, gettext.NullTranslations]:
    """Every language's messages, compiled in memory from its ``.po`` files (fuzzy
    entries left out, as ``pybabel compile`` does)."""
    catalogues: dict[str, gettext.NullTranslations] = {DEFAULT_LANGUAGE: gettext.NullTranslations()}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE or not (folder / language).exists():
            continue
        compiled = BytesIO()
        write_mo(compiled, read_catalog(language, folder), use_fuzzy=False)
        compiled.seek(0)
        catalogues[language] = gettext.GNUTranslations(compiled)
    return catalogues


def _from_accept_language(header: str) -> str | None:
    """The supported language the browser prefers most (RFC 9110 quality values)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def chosen_language(request: Request[Any, Any, Any]) -> str | None:
    """The language asked for in this request's ``?lang=``, when it is one we have."""
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else None


def request_language(request: Request[Any, Any, Any]) -> str:
    """The language this request is shown in (decided once per request)."""
    cached = request.scope.get("state", {}).get("language")
    if isinstance(cached, str):
        return cached
    language = (
        chosen_language(request)
        or (lang if (lang := request.cookies.get(LANGUAGE_COOKIE)) in LANGUAGES else None)
        or _from_accept_language(request.headers.get("accept-language", ""))
        or DEFAULT_LANGUAGE
    )
    request.scope.setdefault("state", {})["language"] = language
    return language


def translator(catalogues: Catalogues, language: str) -> Gettext:
    """``gettext`` of one language, for messages made outside templates."""
    return catalogues.get(language, catalogues[DEFAULT_LANGUAGE]).gettext


# English pages are read in European cities: dates as "31 January 2027, 14:30".
FORMAT_LOCALES = {"en": "en_GB", "nl": "nl_NL"}


class Formats:
    """Dates and amounts as people read them: in the city's time zone, in the page's
    language."""

    def __init__(self, time_zone: str) -> None:
        self.zone = ZoneInfo(time_zone)

    def moment(self, value: datetime | None, language: str) -> str:
        """Day and time to the minute: "31 January 2027, 14:30"."""
        if value is None:
            return ""
        local = value.astimezone(self.zone)
        locale = FORMAT_LOCALES.get(language, language)
        return f"{format_date(local, 'long', locale)}, {format_time(local, 'short', locale=locale)}"

    def day(self, value: datetime | None, language: str, format: str = "long") -> str:
        if value is None:
            return ""
        locale = FORMAT_LOCALES.get(language, language)
        return format_date(value.astimezone(self.zone), format=format, locale=locale)

    def euros(self, value: Decimal | float | None, language: str) -> str:
        """Whole euros without cents, as budgets are written: "€ 50.000"."""
        if value is None:
            return ""
        locale = FORMAT_LOCALES.get(language, language)
        if Decimal(str(value)) % 1 != 0:
            return format_currency(value, "EUR", locale=locale)
        pattern = Locale.parse(locale).currency_formats["standard"].pattern
        whole = pattern.replace(".00", "")
        return format_currency(value, "EUR", locale=locale, format=whole, currency_digits=False)

    def number(self, value: float | int | None, language: str) -> str:
        if value is None:
            return ""
        return format_decimal(value, locale=FORMAT_LOCALES.get(language, language))


def _language(context: Context) -> str:
    language = context.get("language")
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


def install(env: Environment, catalogues: Catalogues, formats: Formats) -> None:
    """Jinja's i18n extension with the page's language taken from the template context
    (``language``, set by ``rendering.page``), and filters for dates and amounts."""

    @pass_context
    def translate(context: Context, message: str) -> str:
        return translator(catalogues, _language(context))(message)

    @pass_context
    def translate_plural(context: Context, singular: str, plural: str, n: int) -> str:
        found = catalogues.get(_language(context), catalogues[DEFAULT_LANGUAGE])
        return found.ngettext(singular, plural, n)

    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translate, translate_plural, newstyle=True
    )

    @pass_context
    def datetime_filter(context: Context, value: datetime | None) -> str:
        return formats.moment(value, _language(context))

    @pass_context
    def date_filter(context: Context, value: datetime | None, format: str = "long") -> str:
        return formats.day(value, _language(context), format)

    @pass_context
    def euros_filter(context: Context, value: Decimal | float | None) -> str:
        return formats.euros(value, _language(context))

    @pass_context
    def number_filter(context: Context, value: float | int | None) -> str:
        return formats.number(value, _language(context))

    env.filters["datetime"] = datetime_filter
    env.filters["date"] = date_filter
    env.filters["euros"] = euros_filter
    env.filters["number"] = number_filter
    env.globals["language_names"] = LANGUAGE_NAMES
    env.globals["time_zone_name"] = formats.zone.key


def locale_display_name(language: str) -> str:
    return Locale.parse(language).get_display_name(language) or language
