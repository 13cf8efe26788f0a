"""Who may see and manage duty activities and duty records.

Offices work over their congress's jurisdiction; a station administrator over the activities
their station organizes and the records of the deputies it serves; a deputy over their own
invitations and records. Leaders read.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q

from renda.core.models import Role
from renda.core.policies import Action, Grant, Policy, Scope
from renda.duties.models import Activity, DutyRecord, Invitation

# Organizers: offices over their region, station administrators for their own station.
ORGANIZE: dict[str, Scope] = {
    Role.ADMIN: Scope.REGION,
    Role.OFFICE: Scope.REGION,
    Role.STATION: Scope.ORGANIZATION,
}


class ActivityPolicy(Policy[Activity]):
    model = Activity
    organization_field = "organizer_id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**ORGANIZE, Role.LEADER: Scope.REGION, Role.DEPUTY: Scope.SELF},
        Action.CREATE: dict(ORGANIZE),
        Action.CHANGE: ORGANIZE,
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }

    def _scope_q(self, scope: Scope | None, grant: Grant, user: Any) -> Q | None:
        # A deputy sees the activities they are invited to: a semi-join, so an activity
        # with many invitees is still one row.
        if scope is Scope.SELF:
            invited = Invitation.objects.filter(mandate__person__user__id=user.pk)
            return Q(pk__in=invited.values("activity_id"))
        return super()._scope_q(scope, grant, user)


# The invitee's own answer to an invitation: asking for leave, signing in at the venue.
RESPOND = "respond"


class InvitationPolicy(Policy[Invitation]):
    """An invitation is the organizer's to record (as the activity is) and the invited
    deputy's to answer."""

    model = Invitation
    region_field = "activity__region_id"
    organization_field = "activity__organizer_id"
    self_field = "mandate__person__user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**ORGANIZE, Role.LEADER: Scope.REGION, Role.DEPUTY: Scope.SELF},
        # Recording attendance, and the absences fixed when the activity closes.
        Action.CHANGE: ORGANIZE,
        RESPOND: {Role.DEPUTY: Scope.SELF},
    }


class DutyRecordPolicy(Policy[DutyRecord]):
    model = DutyRecord
    organization_field = "station_id"
    self_field = "mandate__person__user__id"
    rules: ClassVar[dict[str, dict[str, Scope]]] = {
        Action.VIEW: {**ORGANIZE, Role.LEADER: Scope.REGION, Role.DEPUTY: Scope.SELF},
        # Entering a record: the deputy for themself, the station on behalf of its deputies
        # (代录), the office for any deputy of its congresses.
        Action.CREATE: {**ORGANIZE, Role.DEPUTY: Scope.SELF},
        # Confirming or returning a report.
        Action.CHANGE: ORGANIZE,
        Action.EXPORT: {Role.ADMIN: Scope.REGION, Role.OFFICE: Scope.REGION},
    }


activities = ActivityPolicy()
invitations = InvitationPolicy()
records = DutyRecordPolicy()
