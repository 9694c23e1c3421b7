from django.contrib import admin

from .models import Response


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = [
        "receipt",
        "campaign",
        "unit",
        "source",
        "collection_mode",
        "submitted_at",
        "review",
    ]
    list_filter = ["campaign", "source", "collection_mode", "review", "verified"]
    search_fields = ["receipt", "unit__name"]
    list_select_related = ["campaign", "unit"]
    date_hierarchy = "submitted_at"
    readonly_fields = [f.name for f in Response._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        """Acknowledged answers are never deleted from a screen (rejecting one is a review)."""
        return False
