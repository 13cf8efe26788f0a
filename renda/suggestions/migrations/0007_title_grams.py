"""PostgreSQL only: a GIN index over the characters and character pairs of each title, which
the searched suggestions list uses to find the candidate rows (see selectors.title_contains).
SQLite keeps answering the search from suggestion_list_idx, so there this does nothing."""

from django.db import migrations

# Every character and every pair of adjacent characters of a text: a word of one character
# is found by itself, a longer one by all of its pairs. IMMUTABLE, so that an index can be
# built on it; plain SQL, so that it needs no extension.
CREATE = """
CREATE OR REPLACE FUNCTION renda_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
  ) AS grams
$$
"""
INDEX = "CREATE INDEX suggestion_title_grams_idx ON suggestions_suggestion USING gin (renda_grams(title))"
DROP = (
    "DROP INDEX IF EXISTS suggestion_title_grams_idx",
    "DROP FUNCTION IF EXISTS renda_grams(text)",
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(INDEX, params=None)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0006_status_list_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
