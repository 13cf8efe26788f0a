"""Writes of the administration console: dealing with failed background work."""

from __future__ import annotations

from collections.abc import Callable

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


def _deal_with(
    *,
    actor: User,
    task_id: str,
    act: Callable[[str], tasks.FailedWork | None],
    what: str,
    message: str,
) -> tasks.FailedWork:
    """Check the actor, take the failed task off the list with ``act`` and audit it."""
    _require_admin(actor)
    work = act(task_id)
    if work is None:
        raise NotFound(_("该任务已不在失败列表中（可能已被他人处理）。"))
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
    return work


@transaction.atomic
def retry_failed_task(*, actor: User, task_id: str) -> tasks.FailedWork:
    """Queue a failed task again now; every task is idempotent, so this is always safe."""
    return _deal_with(
        actor=actor,
        task_id=task_id,
        act=tasks.retry_failed,
        what="retried",
        message=_("重新执行失败的后台任务：%(task)s（%(args)s）"),
    )


@transaction.atomic
def dismiss_failed_task(*, actor: User, task_id: str) -> tasks.FailedWork:
    """Take a failed task off the list without running it again (its cause was dealt with
    some other way)."""
    return _deal_with(
        actor=actor,
        task_id=task_id,
        act=tasks.dismiss_failed,
        what="dismissed",
        message=_("忽略失败的后台任务：%(task)s（%(args)s）"),
    )
