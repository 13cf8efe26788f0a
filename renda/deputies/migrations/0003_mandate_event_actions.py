"""Backfill the workflow fields of the mandate timeline: each existing change's step (from its
new status), the name of who recorded it (kept when the account goes) and its reason as the
comment. Every row is kept."""

from django.conf import settings
from django.db import migrations
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

STEPS = {
    "resigned": "resign",
    "recalled": "recall",
    "terminated": "terminate",
    "deceased": "decease",
    "serving": "elect",
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
    MandateEvent = apps.get_model("deputies", "MandateEvent")
    for to_status, action in STEPS.items():
        MandateEvent.objects.filter(action="", to_status=to_status).update(action=action)
    MandateEvent.objects.filter(actor__isnull=False, actor_name="").update(
        actor_name=Subquery(_names(apps))
    )
    MandateEvent.objects.filter(comment="").exclude(reason="").update(comment=F("reason"))


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0002_workflow_events"),
        ("core", "0002_unit_leader_and_supervision_roles"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
