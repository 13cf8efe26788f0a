"""The duty archive PDF: A4 with Chinese text (checked through pdftotext), page numbers, the
deputy's name and activities, never a phone or ID number."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from renda.core.models import AuditAction, AuditEvent, User
from renda.duties.models import ActivityKind, AttendanceStatus
from renda.points import archive, services
from renda.points.models import Evaluation, EvaluationStatus, Grade
from tests.points.conftest import YEAR, absence, own_mandate, record

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "archive.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _world() -> None:
    mandate = own_mandate()
    for day in range(1, 30):
        kind = [ActivityKind.MEETING, ActivityKind.RECEPTION, ActivityKind.SURVEY][day % 3]
        record(
            mandate,
            kind,
            datetime.date(YEAR, 1 + day % 12, day % 28 + 1),
            title=f"第{day}次{ActivityKind(kind).label}:走访西渡镇群众",
        )
    absence(mandate)
    absence(
        mandate,
        datetime.datetime(YEAR, 6, 1, 1, 0, tzinfo=datetime.UTC),
        status=AttendanceStatus.ATTENDED,
    )
    services.recompute_year(congress_id=mandate.term.congress_id, year=YEAR)
    Evaluation.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        year=YEAR,
        status=EvaluationStatus.ASSESSED,
        self_assessment="积极参加各项活动。",
        office_assessment="履职认真。",
        grade=Grade.EXCELLENT,
        points=10,
    )


def test_year_archive_renders_chinese_with_page_numbers(tmp_path: Path) -> None:
    _world()
    mandate = own_mandate()
    pdf = archive.render_pdf(User.objects.get(username="deputy"), mandate, [YEAR], whole_term=False)
    assert pdf.startswith(b"%PDF")
    out = os.environ.get("POINTS_ARCHIVE_OUT")
    if out:
        Path(out).write_bytes(pdf)
    text = _text(pdf, tmp_path)
    assert mandate.person.name in text
    assert "人大代表履职档案" in text
    assert "走访西渡镇群众" in text
    squeezed = "".join(text.split())
    assert "第1页/共3页" in squeezed
    assert "优秀" in text
    for secret in (mandate.person.phone, mandate.person.id_number):
        if secret:
            assert secret not in text


def test_archive_pages_for_the_deputy_and_the_office(login: Any, tmp_path: Path) -> None:
    _world()
    mandate = own_mandate()
    response = login("deputy").get(f"/points/archive/{mandate.pk}/{YEAR}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    term = login("county_office").get(f"/points/archive/{mandate.pk}/term.pdf")
    assert term.status_code == 200
    text = _text(term.content, tmp_path)
    assert mandate.person.name in text
    assert "本届" in text
    assert (
        AuditEvent.objects.filter(object_type="points.archive", action=AuditAction.EXPORT).count()
        == 2
    )
    # Outside the jurisdiction, or someone else's: not found.
    assert (
        login("township_office").get(f"/points/archive/{mandate.pk}/{YEAR}.pdf").status_code == 404
    )
    assert login("unit").get(f"/points/archive/{mandate.pk}/term.pdf").status_code == 404
