"""Values every page shows."""

from __future__ import annotations

from django.http import HttpRequest

from hailong.units.models import Unit, UnitKind


def province(request: HttpRequest) -> dict[str, str]:
    root = Unit.objects.filter(kind=UnitKind.PROVINCE, parent=None).only("name").first()
    return {"province_name": root.name if root else "hailong"}
