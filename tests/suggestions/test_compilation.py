"""The yearly compilation (建议汇编) PDF: Chinese text (checked through pdftotext), a table of
contents by category, page numbers, published replies only, the jurisdiction respected."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.cases import services as case_services
from renda.core.models import AuditAction, AuditEvent, User
from renda.deputies.models import Mandate
from renda.suggestions import compilation, selectors, services
from renda.suggestions.models import Suggestion
from tests.cases.conftest import unit_user
from tests.suggestions.conftest import CITY

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "compilation.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _world(county_mandate: Mandate, write: Callable[..., Suggestion]) -> list[Suggestion]:
    office = User.objects.get(username="county_office")
    first = write(county_mandate, title="关于改善西渡镇农村公路安全设施的建议")
    second = write(
        county_mandate,
        title="关于加强乡镇卫生院建设的建议",
        content="建议为乡镇卫生院配备彩超和救护车。",
    )
    pending = write(county_mandate, title="尚在审查中的建议")
    lead = selectors.units_for(first).first()
    assert lead is not None
    staff = unit_user(lead, "compilation-unit")
    cases = []
    for item in (first, second):
        item = services.review(actor=office, suggestion=item, decision="accept")
        case = services.assign(actor=office, suggestion=item, lead_unit=lead)
        case_services.sign(actor=staff, case=case)
        case_services.reply(
            actor=staff,
            case=case,
            result_class="A",
            content=f"答复:{item.title}已列入今年计划并已完成。",
            measures="",
            approved_by_name="李局长",
        )
        cases.append(case)
    # Only the first reply is published; the second stays unpublished.
    case_services.publish_reply(actor=office, case=cases[0])
    return [first, second, pending]


def test_compilation_pdf(
    county_mandate: Mandate,
    write: Callable[..., Suggestion],
    tmp_path: Path,
    login: Callable[[str], Client],
) -> None:
    first, second, pending = _world(county_mandate, write)
    office = User.objects.get(username="county_office")
    built = compilation.build(office, first.congress, timezone.localdate().year)
    assert built.count == 2
    pdf = compilation.render_pdf(built)
    assert pdf.startswith(b"%PDF")
    out = os.environ.get("SUGGESTIONS_COMPILATION_OUT")
    if out:
        Path(out).write_bytes(pdf)
    text = _text(pdf, tmp_path)
    assert "代表建议及答复汇编" in text
    assert "目录" in text
    assert first.title in text
    assert second.title in text
    assert pending.title not in text
    assert county_mandate.person.name in text
    assert f"答复:{first.title}" in text
    assert f"答复:{second.title}" not in text
    assert "答复未公开" in text
    assert re.search(r"第\s*2\s*页\s*/\s*共\s*3\s*页", text)
    assert first.category is not None
    assert first.category.name in text

    client = login("county_office")
    page = client.get(
        reverse("suggestions:compilation"), {"congress": first.congress_id, "year": built.year}
    )
    assert page.status_code == 200
    assert "下载 PDF" in page.content.decode()
    response = client.get(
        reverse("suggestions:compilation_pdf"), {"congress": first.congress_id, "year": built.year}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="suggestions.compilation"
    ).exists()


def test_compilation_respects_jurisdiction(
    county_mandate: Mandate, write: Callable[..., Suggestion], login: Callable[[str], Client]
) -> None:
    _world(county_mandate, write)
    from renda.core.models import Congress

    city = Congress.objects.get(region_id=CITY)
    client = login("county_office")
    response = client.get(
        reverse("suggestions:compilation_pdf"),
        {"congress": city.pk, "year": timezone.localdate().year},
    )
    assert response.status_code == 403
    assert login("deputy").get(reverse("suggestions:compilation")).status_code == 403
