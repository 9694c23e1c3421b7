"""At most one identical report job queued or running (a partial unique index).

Identical active jobs made before the constraint (two requests at the same moment) are
settled first: the running one, else the oldest, stays; the others end failed, in words.
"""

from typing import Any

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TWICE = "Asked for twice at the same moment: the other, identical job makes this document."


def duplicates_settle(apps: Any, schema_editor: Any) -> None:
    ReportJob = apps.get_model("reports", "ReportJob")
    kept: set[tuple[Any, ...]] = set()
    active = ReportJob.objects.filter(status__in=["queued", "running"])
    for job in active.order_by("-status", "created_at", "pk"):  # running first, then oldest
        key = (job.campaign_id, job.kind, job.unit_id, job.digest)
        if key in kept:
            ReportJob.objects.filter(pk=job.pk).update(
                status="failed", error=TWICE, finished_at=timezone.now()
            )
        kept.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_par_rules"),
        ("reports", "0001_initial"),
        ("results", "0002_computation_published_at"),
        ("units", "0002_desk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(duplicates_settle, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reportjob",
            constraint=models.UniqueConstraint(
                models.F("campaign"),
                models.F("kind"),
                django.db.models.functions.comparison.Coalesce("unit", 0),
                models.F("digest"),
                condition=models.Q(("status__in", ["queued", "running"])),
                name="report_job_active_once",
            ),
        ),
    ]
