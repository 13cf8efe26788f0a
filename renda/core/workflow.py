"""The workflow kit: every state machine in Renda is a status field, a transition table and a
list of steps, moved by the one mover here.

A ``Workflow`` names its model, its status field, its table of legal moves (``from -> {to}``)
and its ``Step``s: the actions a person can take, each with the states it starts from, the
state(s) it leads to, the policy action that must allow it and an optional guard (a date, the
author only ...). ``Workflow.move`` is the only way a status changes: it locks the row, checks
that the row is still in a state the step starts from and that the move is in the table,
checks the policy, saves the status with the other changed fields, and writes one timeline
event and one audit row. ``Workflow.available`` answers what a page or the API may offer this
person on this object now, from the same steps, so a button never leads to a refusal.

A step whose ``targets`` is empty records something on the timeline without changing the status
(a contact with the author, a co-unit's opinion); it still goes through the mover, so it is
locked, checked and audited like any other step.

``Workflow.move_many`` takes one step on many objects at once (the invitees who did not come
when an activity closes) with the same checks and the same event and audit row per object, in
a bounded number of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.core import audit
from renda.core.errors import IllegalTransition
from renda.core.models import AuditAction, User

if TYPE_CHECKING:
    from renda.core.policies import Policy

M = TypeVar("M", bound=models.Model)

COMMENT_MAX = 2000
# Rows per statement when many objects move at once (bounded parameters per query).
BATCH = 500


class WorkflowEvent(models.Model):
    """One step on an object's timeline. Concrete timelines add the foreign key to their
    object (and may narrow ``from_status``/``to_status`` to their status choices)."""

    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text: the timeline must read the same after an account is renamed or removed.
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True


Guard = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Step:
    """One thing a person can do to an object in a workflow."""

    action: str
    label: Any
    sources: frozenset[str]
    # () keeps the status (a timeline entry only); one target is fixed; several let the
    # service choose among them with ``to=`` (a rating closes or reopens).
    targets: tuple[str, ...]
    # The policy action that must allow the actor on this object.
    permission: str
    # Extra condition for offering and taking the step: guard(user, obj) -> bool.
    guard: Guard | None = None
    # Shown to the person when the guard refuses (otherwise the illegal-state message).
    refusal: Any = None


def step(
    action: str,
    label: Any,
    *,
    sources: Iterable[str],
    to: str | Sequence[str] | None = None,
    permission: str,
    guard: Guard | None = None,
    refusal: Any = None,
) -> Step:
    targets: tuple[str, ...] = () if to is None else (to,) if isinstance(to, str) else tuple(to)
    return Step(action, label, frozenset(sources), targets, permission, guard, refusal)


class Workflow(Generic[M]):
    """A state machine over ``model.<status_field>``; see the module docstring."""

    registry: ClassVar[dict[str, Workflow[Any]]] = {}

    def __init__(
        self,
        *,
        key: str,
        model: type[M],
        table: Mapping[str, frozenset[str]],
        steps: Iterable[Step],
        policy: Policy[M],
        event_model: type[WorkflowEvent],
        subject_field: str,
        status_field: str = "status",
        region_of: Callable[[M], str | None] | None = None,
    ) -> None:
        self.key = key
        self.model = model
        self.table = dict(table)
        self.steps: dict[str, Step] = {}
        self.policy = policy
        self.event_model = event_model
        self.subject_field = subject_field
        self.status_field = status_field
        # The audit log's region of an object whose region is not on its own row (an
        # invitation is in its activity's region); None reads it from the object.
        self.region_of = region_of
        for item in steps:
            if item.action in self.steps:
                raise ValueError(f"{key}: step {item.action!r} declared twice")
            for source in item.sources:
                if source not in self.table:
                    raise ValueError(f"{key}.{item.action}: unknown state {source!r}")
                for target in item.targets:
                    if target != source and target not in self.table[source]:
                        raise ValueError(
                            f"{key}.{item.action}: {source!r} -> {target!r} is not in the table"
                        )
            self.steps[item.action] = item
        Workflow.registry[key] = self

    # Reading ---------------------------------------------------------------------------------

    def label_of(self, status: str) -> str:
        field = self.model._meta.get_field(self.status_field)
        return str(dict(getattr(field, "flatchoices", ())).get(status, status))

    def edges(self) -> list[tuple[str, str]]:
        """Every legal move in the table."""
        return [(a, b) for a, targets in self.table.items() for b in sorted(targets)]

    def steps_for_edge(self, source: str, target: str) -> list[Step]:
        return [s for s in self.steps.values() if source in s.sources and target in s.targets]

    def available(self, user: Any, obj: M) -> list[Step]:
        """The steps ``user`` may take on ``obj`` now: its state, the guard and the policy."""
        status = getattr(obj, self.status_field)
        allowed: dict[str, bool] = {}
        found: list[Step] = []
        for item in self.steps.values():
            if status not in item.sources:
                continue
            if item.guard is not None and not item.guard(user, obj):
                continue
            if item.permission not in allowed:
                allowed[item.permission] = self.policy.can(user, obj, item.permission)
            if allowed[item.permission]:
                found.append(item)
        return found

    def available_actions(self, user: Any, obj: M) -> set[str]:
        return {item.action for item in self.available(user, obj)}

    # Moving ----------------------------------------------------------------------------------

    def require(self, obj: M, action: str, to: str | None = None) -> None:
        """Refuse, before anything is validated or written, a step that ``obj``'s state does
        not allow: the step's sources and, when the target is known, the table. Services call
        it first so a stale form is told the state before its input; the mover checks again on
        the locked row."""
        item = self.steps[action]
        status = getattr(obj, self.status_field)
        allowed = status in item.sources
        if allowed and (to is not None or len(item.targets) == 1):
            allowed = (to or item.targets[0]) in self.table.get(status, frozenset())
        if not allowed:
            raise self.refuse(obj, action)

    def refuse(self, obj: M, action: str) -> IllegalTransition:
        item = self.steps.get(action)
        label = item.label if item is not None else action
        return IllegalTransition(
            state=self.label_of(getattr(obj, self.status_field)), action=str(label)
        )

    def move(
        self,
        obj: M,
        *,
        actor: User | None,
        action: str,
        to: str | None = None,
        fields: Iterable[str] = (),
        comment: str = "",
        event: Mapping[str, Any] | None = None,
        audit_after: Mapping[str, Any] | None = None,
        check_policy: bool = True,
    ) -> WorkflowEvent:
        """Take step ``action`` on ``obj`` (whose other changed attributes are ``fields``).

        ``actor`` None is the system (a scheduled scan): the policy is not asked. Services
        that have already answered the policy with a more specific message may pass
        ``check_policy=False``; the table and the state are always checked here.
        """
        item = self.steps.get(action)
        if item is None or not item.targets:
            raise ValueError(f"{self.key}: {action!r} is not a step that moves the status")
        with transaction.atomic():
            current = (
                self.model._default_manager.select_for_update()
                .filter(pk=obj.pk)
                .values_list(self.status_field, flat=True)
                .get()
            )
            # A concurrent step moved the row since it was read: judge the step on the row.
            setattr(obj, self.status_field, current)
            if current not in item.sources:
                raise self.refuse(obj, action)
            if to is None:
                if len(item.targets) > 1:
                    raise ValueError(f"{self.key}.{action}: choose one of {item.targets}")
                target = item.targets[0]
            elif to not in item.targets:
                raise ValueError(f"{self.key}.{action}: {to!r} is not a target of this step")
            else:
                target = to
            if target not in self.table[current]:
                raise self.refuse(obj, action)
            if actor is not None and check_policy:
                self.policy.check(actor, obj, item.permission)
            if item.guard is not None and not item.guard(actor, obj):
                if item.refusal is not None:
                    raise IllegalTransition(item.refusal)
                raise self.refuse(obj, action)
            setattr(obj, self.status_field, target)
            changes = [*dict.fromkeys(f for f in fields if f != self.status_field)]
            changes.append(self.status_field)
            if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
                changes.append("updated_at")
            obj.save(update_fields=changes)
            row = self._event(obj, actor, action, current, target, comment, event)
            audit.record(
                actor=actor,
                action=AuditAction.TRANSITION,
                obj=obj,
                before={self.status_field: current},
                after={self.status_field: target, **dict(audit_after or {})},
                message=(comment or "")[:500],
                region_code=self._region_code(obj),
            )
        return row

    def move_many(
        self,
        objects: Iterable[M],
        *,
        actor: User | None,
        action: str,
        to: str | None = None,
        values: Mapping[str, Any] | None = None,
        comment: str = "",
        event: Mapping[str, Any] | None = None,
        audit_after: Mapping[str, Any] | None = None,
        check_policy: bool = True,
    ) -> list[WorkflowEvent]:
        """Take step ``action`` on every object of ``objects`` (instances or a queryset) at once.

        The checks are ``move``'s, on every row: the rows are locked and their states read
        again, each must be in a state the step starts from with the move in the table (the
        first that is not is refused with ``IllegalTransition`` and nothing is written), the
        policy must allow the actor on all of them and the guard (asked per object, so it
        must not query) must pass. Then one UPDATE sets the status, ``values`` (the same on
        every row) and ``updated_at``; one insert writes an event per object and one an audit
        row per object, as ``move`` writes them. Statements are per ``BATCH`` rows, never per
        object. Returns the events.
        """
        item = self.steps.get(action)
        if item is None or not item.targets:
            raise ValueError(f"{self.key}: {action!r} is not a step that moves the status")
        if to is None:
            if len(item.targets) > 1:
                raise ValueError(f"{self.key}.{action}: choose one of {item.targets}")
            target = item.targets[0]
        elif to not in item.targets:
            raise ValueError(f"{self.key}.{action}: {to!r} is not a target of this step")
        else:
            target = to
        manager = self.model._default_manager
        queryset = objects if isinstance(objects, models.QuerySet) else None
        items: list[M] = [] if queryset is not None else list({o.pk: o for o in objects}.values())
        if queryset is None and not items:
            return []
        with transaction.atomic():
            if queryset is not None:
                items = list(queryset.select_for_update())
            else:
                current: dict[Any, str] = {}
                for chunk in _chunks([obj.pk for obj in items]):
                    current.update(
                        manager.select_for_update()
                        .filter(pk__in=chunk)
                        .values_list("pk", self.status_field)
                    )
                for obj in items:
                    if obj.pk not in current:
                        missing: Any = self.model
                        raise missing.DoesNotExist(f"{self.key}: no row {obj.pk!r}")
                    # A concurrent step may have moved the row: judge the step on the row.
                    setattr(obj, self.status_field, current[obj.pk])
            if not items:
                return []
            pks = [obj.pk for obj in items]
            sources = {obj.pk: getattr(obj, self.status_field) for obj in items}
            for obj in items:
                status = sources[obj.pk]
                if status not in item.sources or target not in self.table.get(status, ()):
                    raise self.refuse(obj, action)
            if actor is not None and check_policy:
                allowed: set[Any] = set()
                for chunk in _chunks(pks):
                    allowed.update(
                        self.policy.filter(
                            actor, manager.filter(pk__in=chunk), item.permission
                        ).values_list("pk", flat=True)
                    )
                for obj in items:
                    if obj.pk not in allowed:
                        self.policy.check(actor, obj, item.permission)
            if item.guard is not None:
                for obj in items:
                    if not item.guard(actor, obj):
                        if item.refusal is not None:
                            raise IllegalTransition(item.refusal)
                        raise self.refuse(obj, action)
            changes: dict[str, Any] = {**dict(values or {}), self.status_field: target}
            if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
                changes["updated_at"] = timezone.now()
            for chunk in _chunks(pks):
                manager.filter(pk__in=chunk).update(**changes)
            for obj in items:
                for name, value in changes.items():
                    setattr(obj, name, value)
            who = actor if actor is not None and actor.pk else None
            name = actor.display_name if actor is not None else ""
            rows = self.event_model._default_manager.bulk_create(
                [
                    self.event_model(
                        **{self.subject_field: obj},
                        action=action,
                        from_status=sources[obj.pk],
                        to_status=target,
                        actor=who,
                        actor_name=name,
                        comment=(comment or "")[:COMMENT_MAX],
                        **dict(event or {}),
                    )
                    for obj in items
                ],
                batch_size=BATCH,
            )
            audit.record_many(
                actor=actor,
                action=AuditAction.TRANSITION,
                entries=[
                    audit.Entry(
                        obj,
                        before={self.status_field: sources[obj.pk]},
                        after={self.status_field: target, **dict(audit_after or {})},
                        region_code=self._region_code(obj),
                    )
                    for obj in items
                ],
                message=(comment or "")[:500],
                batch_size=BATCH,
            )
        return rows

    def opened(
        self,
        obj: M,
        *,
        actor: User | None,
        action: str,
        comment: str = "",
        event: Mapping[str, Any] | None = None,
    ) -> WorkflowEvent:
        """The first timeline entry of a new object (created in its initial state); the
        creating service audits the creation itself."""
        status = getattr(obj, self.status_field)
        if status not in self.table:
            raise ValueError(f"{self.key}: unknown state {status!r}")
        return self._event(obj, actor, action, "", status, comment, event)

    def opened_many(
        self,
        objects: Iterable[M],
        *,
        actor: User | None,
        action: str,
        comment: str = "",
        event: Mapping[str, Any] | None = None,
    ) -> list[WorkflowEvent]:
        """``opened`` for many new objects at once (bulk-created, so they have their keys):
        one insert per ``BATCH`` objects."""
        items = list(objects)
        for obj in items:
            if getattr(obj, self.status_field) not in self.table:
                raise ValueError(f"{self.key}: unknown state {getattr(obj, self.status_field)!r}")
        return self.event_model._default_manager.bulk_create(
            [
                self.event_model(
                    **{self.subject_field: obj},
                    action=action,
                    from_status="",
                    to_status=getattr(obj, self.status_field),
                    actor=actor if actor is not None and actor.pk else None,
                    actor_name=actor.display_name if actor is not None else "",
                    comment=(comment or "")[:COMMENT_MAX],
                    **dict(event or {}),
                )
                for obj in items
            ],
            batch_size=BATCH,
        )

    def note(
        self,
        obj: M,
        *,
        actor: User | None,
        action: str,
        comment: str = "",
        event: Mapping[str, Any] | None = None,
        audit_of: models.Model | None = None,
        audit_action: str = AuditAction.UPDATE,
        audit_after: Mapping[str, Any] | None = None,
        audit_message: str = "",
    ) -> WorkflowEvent:
        """Take a step that keeps the status (``targets`` empty): one timeline entry and one
        audit row, of the record the step created or changed (``audit_of``, by default the
        object itself, filed under the object's region when that record has none). The
        service has locked ``obj`` and checked the policy."""
        item = self.steps.get(action)
        if item is None or item.targets:
            raise ValueError(f"{self.key}: {action!r} is not a timeline-only step")
        status = getattr(obj, self.status_field)
        if status not in item.sources:
            raise self.refuse(obj, action)
        row = self._event(obj, actor, action, "", "", comment, event)
        target = audit_of if audit_of is not None else obj
        audit.record(
            actor=actor,
            action=audit_action,
            obj=target,
            region_code=audit.object_region_code(target) or audit.object_region_code(obj),
            after=dict(audit_after) if audit_after is not None else {"action": action},
            message=audit_message[:500],
        )
        return row

    def _region_code(self, obj: M) -> str | None:
        return self.region_of(obj) if self.region_of is not None else None

    def _event(
        self,
        obj: M,
        actor: User | None,
        action: str,
        from_status: str,
        to_status: str,
        comment: str,
        extra: Mapping[str, Any] | None,
    ) -> WorkflowEvent:
        return self.event_model._default_manager.create(
            **{self.subject_field: obj},
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor.display_name if actor is not None else "",
            comment=(comment or "")[:COMMENT_MAX],
            **dict(extra or {}),
        )


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def workflows() -> list[Workflow[Any]]:
    """Every workflow declared so far (apps declare theirs in their ``workflows`` module)."""
    return sorted(Workflow.registry.values(), key=lambda w: w.key)
