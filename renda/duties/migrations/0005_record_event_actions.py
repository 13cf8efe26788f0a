"""Backfill the workflow fields of the duty records' timeline: each existing entry's step,
read from its statuses ("" -> submitted is the report, returned -> submitted the resubmission,
submitted -> confirmed or returned the review, "" -> confirmed a record written at an
activity's close or by another module), and the name of who took it, kept when the account
goes. Every row is kept."""

from django.conf import settings
from django.db import migrations
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

# (from_status, to_status) -> action
STEPS = {
    ("", "submitted"): "submit",
    ("returned", "submitted"): "resubmit",
    ("submitted", "confirmed"): "confirm",
    ("submitted", "returned"): "return",
}


def _names(apps):
    """Each account's display name as the application shows it: the person's name, else
    the full name, else the username."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    return User.objects.filter(pk=OuterRef("actor_id")).annotate(
        shown=Coalesce(
            NullIf("person__name", Value("")),
            NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
            "username",
            output_field=CharField(),
        )
    ).values("shown")[:1]


def forward(apps, schema_editor):
    DutyRecordEvent = apps.get_model("duties", "DutyRecordEvent")
    pending = DutyRecordEvent.objects.filter(action="")
    for (from_status, to_status), action in STEPS.items():
        pending.filter(from_status=from_status, to_status=to_status).update(action=action)
    confirmed = pending.filter(from_status="", to_status="confirmed")
    confirmed.filter(record__source="organized").update(action="attend")
    confirmed.update(action="record")
    DutyRecordEvent.objects.filter(actor__isnull=False, actor_name="").update(
        actor_name=Subquery(_names(apps))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("duties", "0004_workflow_events"),
        ("core", "0002_unit_leader_and_supervision_roles"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
