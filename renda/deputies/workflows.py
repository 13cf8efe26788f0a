"""The deputies' two workflows.

The mandate: a serving deputy's mandate ends in one of four ways (辞职, 罢免, 终止, 去世), each
a step of its own, and an ended mandate never serves again (a new election gives a new
mandate). The election that opens a mandate is its first timeline entry.

The import of a spreadsheet (IMPORT_TRANSITIONS): the uploader confirms it or has the kept file
checked again; checking and importing are the system's steps (the background worker's, or the
request's for a small file), taken with no actor and offered to no one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.core.policies import Action
from renda.core.workflow import Workflow, step
from renda.deputies.models import (
    IMPORT_TRANSITIONS,
    MANDATE_TRANSITIONS,
    DeputyImport,
    DeputyImportEvent,
    ImportStatus,
    Mandate,
    MandateEvent,
    MandateStatus,
)
from renda.deputies.policies import imports as import_policy
from renda.deputies.policies import mandates as mandate_policy

ELECT = "elect"
UPLOAD = "upload"  # the import's first entry: the uploaded file waits for its check

# The step that ends a mandate in each of the ended states.
END_STEPS: dict[str, str] = {
    MandateStatus.RESIGNED: "resign",
    MandateStatus.RECALLED: "recall",
    MandateStatus.TERMINATED: "terminate",
    MandateStatus.DECEASED: "decease",
}

MANDATE: Workflow[Mandate] = Workflow(
    key="deputies.mandate",
    model=Mandate,
    table=MANDATE_TRANSITIONS,
    steps=[
        step(
            action,
            MandateStatus(status).label,
            sources=[MandateStatus.SERVING],
            to=status,
            permission=Action.CHANGE,
        )
        for status, action in END_STEPS.items()
    ],
    policy=mandate_policy,
    event_model=MandateEvent,
    subject_field="mandate",
)


def by_the_system(user: Any, deputy_import: DeputyImport) -> bool:
    """The steps of checking and importing are taken by the system (no actor), never by a
    person."""
    return user is None


def file_kept(user: Any, deputy_import: DeputyImport) -> bool:
    """A check again needs the uploaded file, removed once imported or after the keeping
    period."""
    return bool(deputy_import.file)


CHECKED = (ImportStatus.VALID, ImportStatus.INVALID)

IMPORT: Workflow[DeputyImport] = Workflow(
    key="deputies.import",
    model=DeputyImport,
    table=IMPORT_TRANSITIONS,
    steps=[
        step(
            "check",
            _("开始校验"),
            sources=[ImportStatus.PENDING],
            to=ImportStatus.CHECKING,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        step(
            "checked",
            _("校验完毕"),
            sources=[ImportStatus.CHECKING],
            to=CHECKED,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        step(
            "recheck",
            _("重新校验"),
            sources=[ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.FAILED],
            to=ImportStatus.PENDING,
            permission=Action.CHANGE,
            guard=file_kept,
        ),
        step(
            "confirm",
            _("确认导入"),
            sources=CHECKED,
            to=ImportStatus.QUEUED,
            permission=Action.CHANGE,
        ),
        step(
            "start",
            _("开始导入"),
            sources=[ImportStatus.QUEUED],
            to=ImportStatus.IMPORTING,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        step(
            "done",
            _("导入完成"),
            sources=[ImportStatus.IMPORTING],
            to=ImportStatus.DONE,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        # The check before writing found errors (the registry changed since): nothing is
        # written and the import shows the new report.
        step(
            "stopped",
            _("导入前校验未通过"),
            sources=[ImportStatus.IMPORTING],
            to=CHECKED,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        # The worker that was checking or writing the import died (its transaction rolled
        # back, nothing of it is stored); the task, handed back by the lease, goes on.
        step(
            "resume",
            _("任务进程中断后重新开始"),
            sources=[ImportStatus.CHECKING, ImportStatus.IMPORTING],
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
        step(
            "fail",
            _("出错"),
            sources=[ImportStatus.CHECKING, ImportStatus.IMPORTING],
            to=ImportStatus.FAILED,
            permission=Action.CHANGE,
            guard=by_the_system,
        ),
    ],
    policy=import_policy,
    event_model=DeputyImportEvent,
    subject_field="deputy_import",
)
