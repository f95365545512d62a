"""The Jinja2 templates of mail and of the unsubscribe page (``service/templates``).

Autoescaping is on for HTML only: the plain-text parts of a mail stay as people wrote
them, and nothing anyone writes becomes markup in an HTML part or page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        trim_blocks=False,
        keep_trailing_newline=True,
    )
