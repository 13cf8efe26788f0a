"""The console's failed-work page: administrators only; lists failed tasks (name, ids, error,
time, attempts); retry queues the task again and dismiss takes it off, each audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renda.core.models import AuditEvent
from renda.points.tasks import recompute_mandates

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def failed(settings: Any) -> DBTaskResult:
    settings.TASKS = DB_TASKS
    settings.TASK_BACKEND = "database"
    result = recompute_mandates.enqueue([41, 42], 2026)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.FAILED,
        worker_ids=["w1", "w2", "w3"],
        finished_at=timezone.now(),
        exception_class_path="builtins.RuntimeError",
        traceback="Traceback (most recent call last):\nRuntimeError: 数据库连接中断\n",
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_only_administrators_see_failed_work(
    login: Callable[[str], Client], failed: DBTaskResult
) -> None:
    url = reverse("console:failed_tasks")
    for username in ("office", "leader", "deputy", "unit", "citizen"):
        assert login(username).get(url).status_code == 403, username
        action = reverse("console:failed_task_action", args=[str(failed.pk)])
        assert login(username).post(action, {"action": "retry"}).status_code == 403
    assert DBTaskResult.objects.get(pk=failed.pk).status == TaskResultStatus.FAILED
    body = login("admin").get(url).content.decode()
    assert "recompute_mandates" in body
    assert "41, 42" in body  # the arguments, as ids
    assert "RuntimeError: 数据库连接中断" in body
    assert ">3<" in body  # attempts
    assert "重新执行" in body


def test_retry_requeues_and_audits(login: Callable[[str], Client], failed: DBTaskResult) -> None:
    admin = login("admin")
    action = reverse("console:failed_task_action", args=[str(failed.pk)])
    response = admin.post(action, {"action": "retry"}, follow=True)
    assert "已重新排队：recompute_mandates" in response.content.decode()
    row = DBTaskResult.objects.get(pk=failed.pk)
    assert row.status == TaskResultStatus.READY
    assert row.run_after <= timezone.now()
    event = AuditEvent.objects.get(object_type="tasks.task", object_id=str(failed.pk))
    assert event.actor_name == "admin"
    assert event.after == {
        "status": "retried",
        "task": recompute_mandates.module_path,
        "args": [[41, 42], 2026],
    }
    assert "重新执行失败的后台任务" in event.message
    assert "没有失败的后台任务。" in response.content.decode()
    # A second click (stale page) says it was dealt with, and changes nothing.
    again = admin.post(action, {"action": "retry"}, follow=True)
    assert "已不在失败列表中" in again.content.decode()
    assert AuditEvent.objects.filter(object_type="tasks.task").count() == 1


def test_dismiss_takes_it_off_and_audits(
    login: Callable[[str], Client], failed: DBTaskResult
) -> None:
    admin = login("admin")
    action = reverse("console:failed_task_action", args=[str(failed.pk)])
    admin.post(action, {"action": "dismiss"})
    assert not DBTaskResult.objects.filter(pk=failed.pk).exists()
    event = AuditEvent.objects.get(object_type="tasks.task", object_id=str(failed.pk))
    assert event.after is not None
    assert event.after["status"] == "dismissed"


def test_the_accounts_page_links_to_it(login: Callable[[str], Client], failed: Any) -> None:
    url = reverse("console:failed_tasks")
    assert url in login("admin").get(reverse("console:accounts")).content.decode()
