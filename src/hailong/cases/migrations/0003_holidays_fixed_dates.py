"""Seed the public holidays whose Gregorian date never moves, for this year and the next.

Only 1/1, 30/4, 1/5 and 2/9 (Labour Code 2019, art. 112): Tết, the Hùng Kings' day, the
day next to 2/9 and the swapped days follow the lunar calendar or a yearly decision, so the
province enters them on /can-bo/phan-anh/ngay-nghi/; nothing here guesses them.
"""

from django.db import migrations
from django.utils import timezone

FIXED = (
    (1, 1, "Tết Dương lịch", "New Year's Day"),
    (4, 30, "Ngày Chiến thắng", "Reunification Day"),
    (5, 1, "Ngày Quốc tế lao động", "International Labour Day"),
    (9, 2, "Quốc khánh", "National Day"),
)


def seed(apps, schema_editor):
    import datetime as dt

    Holiday = apps.get_model("cases", "Holiday")
    year = timezone.localdate().year
    for y in (year, year + 1):
        for month, day, name_vi, name_en in FIXED:
            Holiday.objects.get_or_create(
                day=dt.date(y, month, day), defaults={"name_vi": name_vi, "name_en": name_en}
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_holiday")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
