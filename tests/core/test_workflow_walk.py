"""Every state change goes through the one mover (renda.core.workflow): for every workflow
declared by any app, every edge of its transition table is taken by at least one step, and
taking each step from each of its source states writes exactly one timeline event (with the
step's action and both states) and exactly one audit row.

Each app's tests provide ``tests/<app>/walk.py`` with ``WALKERS``: workflow key -> a function
``(step, source, target) -> (obj, actor)`` that returns an object in state ``source`` and an
actor for whom taking ``step`` to ``target`` is allowed (by the policy and the step's guard).
A workflow without a walker fails here, so a new machine cannot be left out.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps

from renda.core.models import AuditAction, AuditEvent
from renda.core.workflow import Step, Workflow, workflows

pytestmark = pytest.mark.django_db

Walker = Callable[[Step, str, str], tuple[Any, Any]]


def _walkers() -> dict[str, Walker]:
    found: dict[str, Walker] = {}
    root = Path(__file__).resolve().parents[1]
    for info in pkgutil.iter_modules([str(root)]):
        if (root / info.name / "walk.py").exists():
            module = importlib.import_module(f"tests.{info.name}.walk")
            found.update(module.WALKERS)
    return found


def _cases() -> list[tuple[str, str, str, str]]:
    apps.check_apps_ready()
    found = []
    for workflow in workflows():
        for source, target in workflow.edges():
            for step in workflow.steps_for_edge(source, target):
                found.append((workflow.key, step.action, source, target))
    return found


def test_every_app_workflow_is_declared_and_walked() -> None:
    walkers = _walkers()
    keys = {w.key for w in workflows()}
    expected = {
        "cases.case",
        "suggestions.suggestion",
        "deputies.mandate",
        "deputies.import",
        "duties.activity",
        "duties.invitation",
        "duties.record",
        "points.dispute",
        "points.evaluation",
    }
    assert expected <= keys
    assert keys <= set(walkers), f"workflows without a walker: {sorted(keys - set(walkers))}"


@pytest.mark.parametrize("workflow_key", sorted(Workflow.registry))
def test_every_edge_of_the_table_has_a_step(workflow_key: str) -> None:
    workflow = Workflow.registry[workflow_key]
    for source, target in workflow.edges():
        assert workflow.steps_for_edge(source, target), f"{workflow_key}: {source} -> {target}"


@pytest.mark.parametrize(
    ("workflow_key", "action", "source", "target"),
    _cases(),
    ids=[f"{k}:{a}:{s}->{t}" for k, a, s, t in _cases()],
)
def test_each_step_writes_one_event_and_one_audit_row(
    workflow_key: str, action: str, source: str, target: str
) -> None:
    workflow = Workflow.registry[workflow_key]
    step = workflow.steps[action]
    obj, actor = _walkers()[workflow_key](step, source, target)
    assert getattr(obj, workflow.status_field) == source
    events = workflow.event_model._default_manager
    before_events = events.count()
    before_audit = AuditEvent.objects.filter(action=AuditAction.TRANSITION).count()
    event = workflow.move(obj, actor=actor, action=action, to=target)
    assert events.count() == before_events + 1
    assert (event.action, event.from_status, event.to_status) == (action, source, target)
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION).count() == before_audit + 1
    row = AuditEvent.objects.filter(action=AuditAction.TRANSITION).order_by("-id").first()
    assert row is not None
    assert row.object_id == str(obj.pk)
    assert row.before == {workflow.status_field: source}
    obj.refresh_from_db()
    assert getattr(obj, workflow.status_field) == target
