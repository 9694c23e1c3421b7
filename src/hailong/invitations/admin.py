from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import InvitationCode


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "trang_thai"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("unused", _("Unused")), ("used", _("Used")), ("expired", _("Expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "used":
            return queryset.filter(used_at__isnull=False)
        if self.value() == "unused":
            return queryset.filter(used_at__isnull=True, expires_on__gte=today)
        if self.value() == "expired":
            return queryset.filter(used_at__isnull=True, expires_on__lt=today)
        return queryset


@admin.register(InvitationCode)
class InvitationCodeAdmin(admin.ModelAdmin):
    """Codes are made by upload or API; here only the expiry date may be changed."""

    list_display = [
        "__str__",
        "file_number",
        "unit",
        "campaign",
        "completed_on",
        "expires_on",
        "used_at",
    ]
    list_filter = [StatusFilter, "campaign", "completed_on", "created_at"]
    search_fields = ["code", "file_number", "unit__name", "unit__code"]
    list_select_related = ["campaign", "unit"]
    date_hierarchy = "completed_on"
    show_full_result_count = False
    FIELDS = [
        "code", "campaign", "unit", "service", "file_number", "completed_on", "expires_on",
        "batch", "created_at", "created_by", "created_by_key", "used_at", "receipt",
    ]  # fmt: skip
    fields = tuple(FIELDS)
    readonly_fields = [f for f in FIELDS if f != "expires_on"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
