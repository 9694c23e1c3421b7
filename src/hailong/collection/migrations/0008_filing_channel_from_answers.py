"""Answers stored before the filing channel was read from the questionnaire get it now.

Web, paper and imported answers left ``filing_channel`` empty even when the respondent answered
the questionnaire's ``hinh_thuc_nop`` question (``collection/filing.py``); the dashboards count
the channel only there. Four UPDATEs, one per option, each moving ``changed_at`` so that the
analytics store reads the rows again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

from hailong.collection.filing import BY_OPTION, QUESTION


def channels_fill(apps: Any, schema_editor: Any) -> None:
    response = apps.get_model("collection", "Response")
    now = timezone.now()
    for option, channel in BY_OPTION.items():
        response.objects.filter(filing_channel="", **{f"profile__{QUESTION}": option}).update(
            filing_channel=channel, changed_at=now
        )


class Migration(migrations.Migration):
    dependencies = [("collection", "0007_no_like_indexes")]
    operations = [migrations.RunPython(channels_fill, migrations.RunPython.noop)]
