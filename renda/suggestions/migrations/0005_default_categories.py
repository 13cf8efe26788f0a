"""Every existing congress without suggestion categories gets the default list, which used to
be written on the first read of the form (reads no longer write; new congresses get it from
the congress listener)."""

from django.db import migrations

DEFAULTS = ['城乡建设', '交通运输', '生态环境', '教育', '卫生健康', '社会保障', '就业', '农业农村', '公共安全', '科技', '文化旅游', '财政经济', '民政', '市场监管', '其他']


def forwards(apps, schema_editor):
    Congress = apps.get_model("core", "Congress")
    Category = apps.get_model("suggestions", "SuggestionCategory")
    having = set(Category.objects.values_list("congress_id", flat=True).distinct())
    rows = [
        Category(congress_id=pk, name=name, position=i)
        for pk in Congress.objects.exclude(pk__in=having).values_list("pk", flat=True)
        for i, name in enumerate(DEFAULTS, start=1)
    ]
    Category.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("suggestions", "0004_suggestionevent_workflow_event"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
