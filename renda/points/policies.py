"""Who may see and act on the points system and the yearly evaluation.

Offices (and the administrators) work over their congress's jurisdiction; leaders look; the
station administrators see the points of the deputies of their township; a deputy sees their
own points, files disputes on them and writes their own self-assessment. Nothing here is
public, and no rule lets anyone list deputies by score: the pages only ever show one deputy.
"""

from __future__ import annotations

from typing import ClassVar

from renda.core.models import Role
from renda.core.policies import Action, Policy, Scope
from renda.points.models import Dispute, Evaluation, PointEntry, PointRuleSet, PointTotal

# Actions beyond the generic ones.
DISPUTE = "dispute"  # file a dispute on an entry
DECIDE = "decide"  # uphold or reject a dispute
SELF_ASSESS = "self_assess"  # write and submit the deputy's own part of the evaluation
ASSESS = "assess"  # write the office's part, grade it or send it back

SELF = "mandate__person__user__id"

_OFFICES: dict[str, Scope] = {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION}


class RuleSetPolicy(Policy[PointRuleSet]):
    model = PointRuleSet
    region_field = "congress__region_id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**_OFFICES, Role.LEADER: Scope.REGION},
        Action.CHANGE: dict(_OFFICES),
    }


class PointEntryPolicy(Policy[PointEntry]):
    model = PointEntry
    self_field = SELF
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {
            **_OFFICES,
            Role.LEADER: Scope.REGION,
            Role.STATION: Scope.REGION,
            Role.DEPUTY: Scope.SELF,
        },
        # Only the deputy the entry belongs to may object to it.
        DISPUTE: {Role.DEPUTY: Scope.SELF},
    }


class PointTotalPolicy(Policy[PointTotal]):
    model = PointTotal
    region_field = "mandate__region_id"
    self_field = SELF
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: PointEntryPolicy.rules[Action.VIEW],
    }


class DisputePolicy(Policy[Dispute]):
    model = Dispute
    self_field = SELF
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**_OFFICES, Role.DEPUTY: Scope.SELF},
        DECIDE: dict(_OFFICES),
    }


class EvaluationPolicy(Policy[Evaluation]):
    model = Evaluation
    self_field = SELF
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**_OFFICES, Role.LEADER: Scope.REGION, Role.DEPUTY: Scope.SELF},
        SELF_ASSESS: {Role.DEPUTY: Scope.SELF},
        ASSESS: dict(_OFFICES),
    }


rule_sets = RuleSetPolicy()
entries = PointEntryPolicy()
totals = PointTotalPolicy()
disputes = DisputePolicy()
evaluations = EvaluationPolicy()
