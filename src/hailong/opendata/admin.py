from django.contrib import admin

from .models import VisitDay


@admin.register(VisitDay)
class VisitDayAdmin(admin.ModelAdmin):
    """Daily totals, read only: they are counted, never typed."""

    list_display = ("day", "visitors", "views")
    date_hierarchy = "day"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
