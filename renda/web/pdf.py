"""Printable documents (duty archives, suggestion compilations): A4 PDFs rendered by
WeasyPrint from a template, with the Noto CJK system fonts and translated page numbers.

Documents load nothing but their own stylesheet and the system fonts (no ``base_url``), so a
PDF can never reach out to the network or the file system while it is rendered.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_COUNTERS = {"{page}": "counter(page)", "{pages}": "counter(pages)"}


def page_footer() -> SafeString:
    """The CSS ``content`` of the page footer, from one translated pattern so that each
    language puts the page numbers where its grammar wants them."""
    pattern = _("第 {page} 页 / 共 {pages} 页")
    pieces = [
        _COUNTERS.get(part) or json.dumps(part, ensure_ascii=False)
        for part in re.split(r"(\{pages?\})", pattern)
        if part
    ]
    # Built from our own translation catalogue and JSON-quoted: safe inside the <style>.
    return mark_safe(" ".join(pieces).replace("<", "\\3c "))  # noqa: S308


def render_html(template: str, context: dict[str, Any]) -> str:
    """The document's HTML, with ``page_footer`` in its context for the page CSS."""
    return render_to_string(template, {"page_footer": page_footer(), **context})


def render_pdf(template: str, context: dict[str, Any], *, stylesheet: str | None = None) -> bytes:
    """The document as PDF bytes; ``stylesheet`` is a static file path added to the page."""
    from weasyprint import CSS, HTML

    sheets = []
    if stylesheet is not None:
        found = finders.find(stylesheet)
        if not isinstance(found, str):
            raise FileNotFoundError(stylesheet)
        sheets.append(CSS(filename=found))
    pdf: bytes = HTML(string=render_html(template, context)).write_pdf(stylesheets=sheets)
    return pdf
