"""Triggers that refuse UPDATE and DELETE on the audit table, on SQLite and PostgreSQL alike."""

from django.db import migrations

from hailong.audit.guard import guard_set


def guard_on(apps, schema_editor):
    guard_set(schema_editor.connection, on=True)


def guard_off(apps, schema_editor):
    guard_set(schema_editor.connection, on=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entries")]

    operations = [migrations.RunPython(guard_on, guard_off)]
