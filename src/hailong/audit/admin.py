from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry
from .selectors import sees_all


def _auditor(request: HttpRequest) -> bool:
    """Only those who read the whole log: the admin has no unit scoping."""
    user: Any = request.user
    return bool(user.is_authenticated and sees_all(user=user))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone: nobody adds, changes or deletes an entry here."""

    list_display = ["seq", "at", "actor_label", "action", "object_label", "unit"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "object_label", "object_id", "reason"]
    date_hierarchy = "at"
    list_select_related = ["unit"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _auditor(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _auditor(request)
