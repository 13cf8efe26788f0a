"""The deadline scan: each reminder rule once per case and round, in-app and by SMS, however
often and on however many schedulers it runs."""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from renda.cases import deadlines, services, tasks
from renda.cases.models import Case, Reminder
from renda.core.dates import local_date
from renda.core.models import Organization, User
from renda.notifications.models import Delivery, Notification

from .conftest import unit_user

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _due(case: Case, due_on: datetime.date) -> Case:
    Case.objects.filter(pk=case.pk).update(due_on=due_on)
    return Case.objects.get(pk=case.pk)


def _messages(kind: str, case: Case) -> Any:
    return Notification.objects.filter(kind=kind, body__contains=case.title)


def _scan(capture: Any, today: datetime.date) -> int:
    with capture(execute=True):
        return services.scan_deadlines(today=today)


def test_due_soon_once_per_rule_in_app_and_by_sms(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    today = local_date()
    case = _due(make_case(title="关于修缮城南菜市场的建议"), today + 20 * DAY)
    # Twenty days left: no rule yet.
    assert _scan(django_capture_on_commit_callbacks, today) == 0
    # Fifteen days left: the 15-day reminder, once.
    assert _scan(django_capture_on_commit_callbacks, today + 5 * DAY) == 1
    assert _scan(django_capture_on_commit_callbacks, today + 5 * DAY) == 0
    assert _scan(django_capture_on_commit_callbacks, today + 6 * DAY) == 0
    sent = _messages("case_due_soon", case)
    assert list(sent.values_list("recipient__username", flat=True)) == ["unit"]
    assert Delivery.objects.filter(notification__in=sent, channel="sms").count() == 1
    # Three days left: the 3-day reminder, once.
    assert _scan(django_capture_on_commit_callbacks, today + 17 * DAY) == 1
    assert _scan(django_capture_on_commit_callbacks, today + 17 * DAY) == 0
    assert _messages("case_due_soon", case).count() == 2
    assert set(Reminder.objects.filter(case=case).values_list("kind", "step")) == {
        ("due_soon", 15),
        ("due_soon", 3),
    }


def test_first_seen_late_claims_every_passed_step_with_one_message(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    today = local_date()
    case = _due(make_case(title="关于增设公交站台的建议"), today + 2 * DAY)
    assert _scan(django_capture_on_commit_callbacks, today) == 2
    assert _messages("case_due_soon", case).count() == 1
    assert _scan(django_capture_on_commit_callbacks, today + DAY) == 0


def test_overdue_escalates_up_the_ladder_once_per_step(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    today = local_date()
    case = make_case(
        title="关于治理河道污染的建议", is_key=True, supervisor=User.objects.get(username="leader")
    )
    case = _due(case, today - DAY)
    # Already past every due-soon step: only the overdue step 0 is sent.
    assert _scan(django_capture_on_commit_callbacks, today) == 1
    assert _scan(django_capture_on_commit_callbacks, today) == 0
    call_command("case_deadlines", "--today", today.isoformat(), stdout=io.StringIO())
    overdue = _messages("case_overdue", case)
    # The unit's staff and its leader, the offices whose jurisdiction covers the city, the
    # supervising leader; not yet the government's supervision office.
    first = {"unit", "unit_leader", "office", "leader"}
    assert set(overdue.values_list("recipient__username", flat=True)) == first
    assert overdue.count() == 4
    assert Delivery.objects.filter(notification__in=overdue, channel="sms").count() == 4
    first_pks = list(overdue.values_list("pk", flat=True))
    # A week late: the 7-day escalation, once, now also to the supervision office (督查室).
    assert _scan(django_capture_on_commit_callbacks, today + 6 * DAY) == 1
    assert _scan(django_capture_on_commit_callbacks, today + 6 * DAY) == 0
    later = _messages("case_overdue", case).exclude(pk__in=first_pks)
    assert set(later.values_list("recipient__username", flat=True)) == {*first, "supervision"}
    assert Delivery.objects.filter(notification__in=later, channel="sms").count() == 5
    # Closed cases are left alone.
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert _scan(django_capture_on_commit_callbacks, today + 40 * DAY) == 0


def test_a_reopened_round_is_reminded_again(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    today = local_date()
    case = _due(make_case(title="关于路灯维修的建议"), today + 2 * DAY)
    assert _scan(django_capture_on_commit_callbacks, today) == 2
    unit = User.objects.get(username="unit")
    services.sign(actor=unit, case=case)
    services.reply(
        actor=User.objects.get(username="unit_leader"),
        case=case,
        result_class="A",
        content="已修复。",
        measures="",
    )
    services.rate(
        actor=User.objects.get(username="deputy"),
        case=case,
        rating="unsatisfied",
        comment="仍有路灯不亮。",
    )
    case = _due(case, today + 2 * DAY)
    assert case.round == 2
    assert _scan(django_capture_on_commit_callbacks, today) == 2
    assert set(Reminder.objects.filter(case=case).values_list("round", flat=True)) == {1, 2}


def test_co_unit_opinion_reminder(
    make_case: Callable[..., Case],
    other_unit: Organization,
    django_capture_on_commit_callbacks: Any,
) -> None:
    unit_user(other_unit, "edu_staff")
    today = local_date()
    case = make_case(co=[other_unit], title="关于学校周边交通的建议")
    due = deadlines.add_months(today, 1)
    assert _scan(django_capture_on_commit_callbacks, due - 5 * DAY) == 0
    assert _scan(django_capture_on_commit_callbacks, due - 2 * DAY) == 1
    assert _scan(django_capture_on_commit_callbacks, due - 1 * DAY) == 0
    sent = Notification.objects.filter(kind="case_due_soon", title__startswith="协办意见提醒")
    assert list(sent.values_list("recipient__username", flat=True)) == ["edu_staff"]
    assert Reminder.objects.get(case=case).step == other_unit.pk


def test_many_cases_of_one_unit_make_one_digest(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    today = local_date()
    cases = [_due(make_case(title=f"关于第{i}号事项的建议"), today - DAY) for i in range(7)]
    assert _scan(django_capture_on_commit_callbacks, today) == 7
    digest = Notification.objects.get(kind="case_overdue", recipient__username="unit")
    assert "7 件" in digest.title
    assert "等共 7 件" in digest.body
    assert Reminder.objects.filter(case__in=cases).count() == 7


def test_the_task_runs_the_scan(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    _due(make_case(title="关于停车难的建议"), local_date() - DAY)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.scan_case_deadlines.enqueue()
    assert result.return_value == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_once(reseed: None, settings: Any) -> None:
    # SQLite runs writers one at a time and its in-memory test database does not wait for
    # locks; the race this guards against needs PostgreSQL.
    if connection.vendor != "postgresql":
        pytest.skip("concurrent schedulers need PostgreSQL (CI's second run)")
    from renda.core.models import Congress

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    org = User.objects.get(username="unit").grants.get().organization
    assert org is not None
    today = local_date()
    made = [
        services.assign(
            actor=User.objects.get(username="office"),
            subject_type="tests.item",
            subject_id=f"race-{i}",
            title=f"并发提醒事项{i}",
            congress=Congress.objects.get(region_id="430400000000"),
            author=None,
            lead_unit=org,
        )
        for i in range(20)
    ]
    Case.objects.filter(pk__in=[c.pk for c in made]).update(due_on=today - DAY)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(services.scan_deadlines(today=today))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Both runs insert the same rows in the same order: one claims them all, the other waits
    # for its commit and finds them taken.
    assert sorted(counts) == [0, 20]
    assert Reminder.objects.filter(case__in=made).count() == 20
    assert Notification.objects.filter(kind="case_overdue", recipient__username="unit").count() == 1
    assert (
        Notification.objects.filter(kind="case_overdue", recipient__username="office").count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_two_office_users_assigning_at_once_make_one_case(reseed: None, settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent assignment needs PostgreSQL (CI's second run)")
    from renda.core.errors import Conflict
    from renda.core.models import Congress

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    org = User.objects.get(username="unit").grants.get().organization
    assert org is not None
    congress = Congress.objects.get(region_id="430400000000")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(username: str) -> None:
        try:
            barrier.wait()
            services.assign(
                actor=User.objects.get(username=username),
                subject_type="tests.item",
                subject_id="race-assign",
                title="并发交办",
                congress=congress,
                author=None,
                lead_unit=org,
            )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("office", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["ok", "该事项已交办,请刷新后查看。"])
    assert Case.objects.filter(subject_type="tests.item", subject_id="race-assign").count() == 1
