"""The printable duty archive (履职档案) of one deputy, for one year or the whole term, as an
A4 PDF (renda.web.pdf). It shows who the deputy is (never phone or ID numbers), the mandate,
the confirmed activities by kind, attendance, the points with their summary, and the yearly
evaluation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from renda.deputies.models import Mandate
from renda.points import selectors
from renda.web import pdf

TEMPLATE = "points/archive.html"
STYLESHEET = "points/archive.css"


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
    }


def render_html(user: Any, mandate: Mandate, years: list[int], *, whole_term: bool) -> str:
    return pdf.render_html(TEMPLATE, context(user, mandate, years, whole_term=whole_term))


def render_pdf(user: Any, mandate: Mandate, years: list[int], *, whole_term: bool) -> bytes:
    return pdf.render_pdf(
        TEMPLATE, context(user, mandate, years, whole_term=whole_term), stylesheet=STYLESHEET
    )
