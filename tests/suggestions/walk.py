"""The suggestion workflow's walker for tests/core/test_workflow_walk.py: a suggestion of the
demo deputy's county mandate (衡阳县) brought to each state, and the account allowed to take
each step (the deputy submits; the county office reviews, merges, records the presidium's
decision and assigns).

Suggestions reach their states through the services. A motion would need ten confirmed
co-signers before it is submitted; the walker sets a motion's state directly instead."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from renda.core.models import User
from renda.core.workflow import Step
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.models import Suggestion, SuggestionKind, SuggestionStatus

COUNTY = "430421000000"
OFFICE = "county_office"
# Steps of the deputy; every other step is the office's.
DEPUTY_STEPS = frozenset({"submit"})
# Steps that only a motion can take (the guard asks for one), from these states.
MOTION_STEPS = frozenset({"convert", "presidium"})


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _draft(
    kind: str = SuggestionKind.SUGGESTION, title: str = "关于农村公路安全设施的建议"
) -> Suggestion:
    mandate = Mandate.objects.select_related("term__congress").get(
        person__user__username="deputy", region_id=COUNTY
    )
    category = selectors.categories(mandate.term.congress).first()
    assert category is not None
    return services.save(
        actor=_u("deputy"),
        mandate=mandate,
        submission_key=uuid.uuid4().hex,
        data=services.SuggestionInput(
            kind=kind,
            title=title,
            content="部分村道弯道多、缺少护栏和警示标志,建议增设护栏。",
            category_id=category.pk,
        ),
    )


def _suggestion(status: str) -> Suggestion:
    """A suggestion (not a motion) in ``status``, through the services."""
    item = _draft()
    if status == SuggestionStatus.DRAFT:
        return item
    item = services.submit(actor=_u("deputy"), suggestion=item)
    if status == SuggestionStatus.RETURNED:
        return services.review(
            actor=_u(OFFICE), suggestion=item, decision="return", reason="请补充具体位置。"
        )
    if status == SuggestionStatus.ACCEPTED:
        return services.review(actor=_u(OFFICE), suggestion=item, decision="accept")
    assert status == SuggestionStatus.SUBMITTED, status
    return item


def _motion(status: str) -> Suggestion:
    """A motion in ``status`` (set directly: see the module docstring)."""
    item = _draft(kind=SuggestionKind.MOTION, title="关于制定农村公路养护条例的议案")
    Suggestion.objects.filter(pk=item.pk).update(status=status, submitted_at=timezone.now())
    return item


def walk(step: Step, source: str, target: str) -> tuple[Any, Any]:
    motion = step.action in MOTION_STEPS or source == SuggestionStatus.CONVERTED
    item = _motion(source) if motion else _suggestion(source)
    if step.action == "merge":
        # A merged suggestion names the one it went into (a database constraint).
        kept = _suggestion(SuggestionStatus.SUBMITTED)
        Suggestion.objects.filter(pk=item.pk).update(merged_into=kept)
    actor = _u("deputy") if step.action in DEPUTY_STEPS else _u(OFFICE)
    return Suggestion.objects.get(pk=item.pk), actor


WALKERS = {"suggestions.suggestion": walk}
