from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read only: jobs are made by the staff report page and changed only by the worker."""

    list_display = ["created_at", "campaign", "kind", "unit", "status", "percent", "requested_by"]
    list_filter = ["status", "kind", "campaign"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
