"""Writes of the administration console: dealing with failed background work."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from renda.core import audit, policies, tasks
from renda.core.errors import NotFound, NotPermitted
from renda.core.models import AuditAction, User
from renda.core.policies import Action

TASK_OBJECT_TYPE = "tasks.task"


def _require_admin(actor: User) -> None:
    if not policies.accounts.allows_anywhere(actor, Action.CHANGE):
        raise NotPermitted()


def _audit(*, actor: User, work: tasks.FailedWork, what: str, message: str) -> None:
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=TASK_OBJECT_TYPE,
        object_id=work.id[:64],
        object_repr=work.task_name,
        region_code="",
        before={"status": "failed", "attempts": work.attempts},
        after={"status": what, "task": work.task_path, "args": work.args},
        message=message % {"task": work.task_name, "args": ", ".join(map(str, work.args))},
    )


@transaction.atomic
def retry_failed_task(*, actor: User, task_id: str) -> tasks.FailedWork:
    """Queue a failed task again now; every task is idempotent, so this is always safe."""
    _require_admin(actor)
    work = tasks.retry_failed(task_id)
    if work is None:
        raise NotFound(_("该任务已不在失败列表中（可能已被他人处理）。"))
    _audit(
        actor=actor,
        work=work,
        what="retried",
        message=_("重新执行失败的后台任务：%(task)s（%(args)s）"),
    )
    return work


@transaction.atomic
def dismiss_failed_task(*, actor: User, task_id: str) -> tasks.FailedWork:
    """Take a failed task off the list without running it again (its cause was dealt with
    some other way)."""
    _require_admin(actor)
    work = tasks.dismiss_failed(task_id)
    if work is None:
        raise NotFound(_("该任务已不在失败列表中（可能已被他人处理）。"))
    _audit(
        actor=actor,
        work=work,
        what="dismissed",
        message=_("忽略失败的后台任务：%(task)s（%(args)s）"),
    )
    return work
