"""PostgreSQL: drop the LIKE indexes Django adds beside the unique receipt and key.

Django gives every unique CharField a second index (``varchar_pattern_ops``) for prefix
searches. Receipts and idempotency keys are only ever looked up whole, through their unique
index, so the second one only costs every submission two more random B-tree writes
(docs/performance.md). SQLite has no such indexes: nothing to do there. An ``AlterField`` of
either field later would bring them back; drop them again then.
"""

from django.db import migrations

FIELDS = ("receipt", "idempotency_key")


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            ["collection_response"],
        )
        found = cursor.fetchall()
    for name, definition in found:
        if "varchar_pattern_ops" in definition and any(f"({f} " in definition for f in FIELDS):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("collection", "Response")
    for name in FIELDS:
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field(name)))


class Migration(migrations.Migration):

    dependencies = [
        ("collection", "0006_campaign_changed_index"),
    ]

    operations = [migrations.RunPython(drop_like_indexes, create_like_indexes)]
