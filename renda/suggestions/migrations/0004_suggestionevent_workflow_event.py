# The suggestion timeline is a workflow timeline (renda.core.workflow.WorkflowEvent): the
# actor's name is kept as text, so that the timeline reads the same after an account is
# renamed or removed. Rows written before the services kept it (the seed's bulk timelines)
# get it from the account they name; every row is kept.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim


def backfill_actor_names(apps, schema_editor):
    SuggestionEvent = apps.get_model("suggestions", "SuggestionEvent")
    User = apps.get_model("core", "User")
    # The account's display name: the person's name, else the full name, else the username.
    shown = (
        User.objects.filter(pk=OuterRef("actor_id"))
        .annotate(
            shown=Coalesce(
                NullIf("person__name", Value("")),
                NullIf(Trim(Concat("first_name", Value(" "), "last_name")), Value("")),
                "username",
                output_field=models.CharField(),
            )
        )
        .values("shown")[:1]
    )
    SuggestionEvent.objects.filter(actor_name="", actor__isnull=False).update(
        actor_name=Subquery(shown)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("suggestions", "0003_dashboard_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="suggestionevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人姓名"),
        ),
        # Backward: the names stay (they were blank only because they were never written).
        migrations.RunPython(backfill_actor_names, migrations.RunPython.noop),
    ]
