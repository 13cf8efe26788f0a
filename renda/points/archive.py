"""The printable duty archive (履职档案) of one deputy, for one year or the whole term, as an
A4 PDF rendered by WeasyPrint with the Noto CJK fonts. It shows who the deputy is (never
phone or ID numbers), the mandate, the confirmed activities by kind, attendance, the points
with their summary, and the yearly evaluation."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from renda.deputies.models import Mandate
from renda.points import selectors

STYLESHEET = "points/archive.css"
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


def context(user: Any, mandate: Mandate, years: list[int], *, whole_term: bool) -> dict[str, Any]:
    parts = [selectors.archive_year(user, mandate, year) for year in years]
    return {
        "mandate": mandate,
        "person": mandate.person,
        "years": parts,
        "whole_term": whole_term,
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
        "term_points": sum((p.breakdown.total for p in parts), start=Decimal(0)),
        "term_records": sum(len(p.records) for p in parts),
        "generated_at": timezone.localtime(),
        "page_footer": page_footer(),
    }


def render_html(user: Any, mandate: Mandate, years: list[int], *, whole_term: bool) -> str:
    return render_to_string(
        "points/archive.html", context(user, mandate, years, whole_term=whole_term)
    )


def render_pdf(user: Any, mandate: Mandate, years: list[int], *, whole_term: bool) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(user, mandate, years, whole_term=whole_term)
    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), STYLESHEET
    # No base_url: the archive loads nothing but its own stylesheet and the system fonts.
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(filename=stylesheet)])
    return pdf
