"""The yearly evaluation form: the deputy writes and submits a self-assessment, the office
assesses and grades it (or sends it back), and the points are kept as they stood."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, AuditEvent, User
from renda.duties.models import ActivityKind
from renda.notifications.models import Notification
from renda.points import services
from renda.points.models import Evaluation, EvaluationStatus, Grade
from tests.points.conftest import YEAR, other_mandate, own_mandate, record

pytestmark = pytest.mark.django_db


def test_evaluation_flow_through_the_pages(login: Any, scored: Any) -> None:
    mandate = own_mandate()
    record(mandate, ActivityKind.SURVEY, datetime.date(YEAR, 3, 3))
    scored(mandate)
    url = f"/points/evaluation/{mandate.pk}/{YEAR}/"
    deputy = login("deputy")
    page = deputy.get(url).content.decode()
    assert "保存草稿" in page
    # Submitting an empty self-assessment is refused; a draft is kept.
    empty = deputy.post(url, {"self_assessment": "", "submit": "1"})
    assert empty.status_code == 200
    assert "请先填写自评内容" in empty.content.decode()
    assert deputy.post(url, {"self_assessment": "草稿", "save": "1"}).status_code == 302
    assert Evaluation.objects.get(mandate=mandate, year=YEAR).status == EvaluationStatus.DRAFT
    assert (
        deputy.post(url, {"self_assessment": "全年参加调研一次。", "submit": "1"}).status_code
        == 302
    )
    evaluation = Evaluation.objects.get(mandate=mandate, year=YEAR)
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.self_submitted_at is not None
    # After submitting, the deputy can no longer change it.
    assert "保存草稿" not in deputy.get(url).content.decode()

    office = login("county_office")
    assert (
        f"/points/evaluation/{mandate.pk}/{YEAR}/"
        in office.get("/points/evaluations/").content.decode()
    )
    page = office.get(url).content.decode()
    assert "全年参加调研一次" in page
    assert "保存评价" in page
    missing = office.post(url, {"office_assessment": "", "grade": "", "assess": "1"})
    assert missing.status_code == 200
    assert "请选择评价等次" in missing.content.decode()
    assert (
        office.post(
            url, {"office_assessment": "认真履职。", "grade": Grade.COMPETENT, "assess": "1"}
        ).status_code
        == 302
    )
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.grade, evaluation.points) == (
        EvaluationStatus.ASSESSED,
        Grade.COMPETENT,
        Decimal(3),
    )
    assert evaluation.assessed_by == User.objects.get(username="county_office")
    assert Notification.objects.filter(
        recipient__username="deputy", kind="points_evaluation"
    ).exists()
    assert (
        AuditEvent.objects.filter(
            object_type="points.evaluation", action=AuditAction.TRANSITION
        ).count()
        == 2
    )
    # The score is a snapshot: later points do not change the signed form.
    record(mandate, ActivityKind.SURVEY, datetime.date(YEAR, 4, 4))
    scored(mandate)
    evaluation.refresh_from_db()
    assert evaluation.points == 3
    assert "称职" in deputy.get(url).content.decode()


def test_office_sends_a_self_assessment_back() -> None:
    mandate = own_mandate()
    deputy = User.objects.get(username="deputy")
    evaluation = services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="自评", submit=True
    )
    office = User.objects.get(username="office")
    with pytest.raises(InvalidInput):
        services.return_evaluation(actor=office, evaluation=evaluation, reason="")
    services.return_evaluation(actor=office, evaluation=evaluation, reason="请补充建议情况。")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
    services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="补充后", submit=False
    )
    evaluation.refresh_from_db()
    assert evaluation.self_assessment == "补充后"


def test_evaluation_rules() -> None:
    mandate = own_mandate()
    deputy = User.objects.get(username="deputy")
    office = User.objects.get(username="county_office")
    # Someone else's mandate: refused, and no form is left behind.
    other = other_mandate()
    with pytest.raises(NotFound):
        services.save_self_assessment(
            actor=deputy, mandate=other, year=YEAR, text="冒名", submit=True
        )
    assert not Evaluation.objects.filter(mandate=other).exists()
    # An office cannot write the deputy's part, nor assess a draft.
    with pytest.raises(NotPermitted):
        services.save_self_assessment(
            actor=office, mandate=mandate, year=YEAR, text="代写", submit=False
        )
    draft = services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="草稿", submit=False
    )
    with pytest.raises(IllegalTransition):
        services.assess_evaluation(
            actor=office, evaluation=draft, office_assessment="好", grade=Grade.EXCELLENT
        )
    services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="提交", submit=True
    )
    with pytest.raises(NotPermitted):
        services.assess_evaluation(
            actor=deputy, evaluation=draft, office_assessment="自评优秀", grade=Grade.EXCELLENT
        )
    with pytest.raises(NotFound):
        services.assess_evaluation(
            actor=User.objects.get(username="township_office"),
            evaluation=draft,
            office_assessment="越权",
            grade=Grade.EXCELLENT,
        )
    assessed = services.assess_evaluation(
        actor=office, evaluation=draft, office_assessment="好", grade=Grade.EXCELLENT
    )
    assert assessed.points == 0
    with pytest.raises(IllegalTransition):
        services.save_self_assessment(
            actor=deputy, mandate=mandate, year=YEAR, text="改", submit=False
        )
