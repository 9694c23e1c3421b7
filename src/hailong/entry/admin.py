from django.contrib import admin

from .models import PaperBatch, PaperEntry, PaperResolution


@admin.register(PaperBatch)
class PaperBatchAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "unit",
        "campaign",
        "expected_sheets",
        "double_entry",
        "created_at",
        "closed_at",
    ]
    list_filter = ["campaign", "double_entry"]
    search_fields = ["number", "unit__name", "unit__code"]
    list_select_related = ["campaign", "unit"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["unit"]


@admin.register(PaperEntry)
class PaperEntryAdmin(admin.ModelAdmin):
    """Typed copies are evidence for the double-entry check: read only."""

    list_display = ["batch", "sheet_number", "clerk", "entered_at"]
    list_filter = ["batch__campaign"]
    search_fields = ["batch__number", "clerk__username"]
    list_select_related = ["batch__unit", "clerk"]
    readonly_fields = [f.name for f in PaperEntry._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(PaperResolution)
class PaperResolutionAdmin(admin.ModelAdmin):
    """The audit record of each settled mismatch: who, when, what; read only."""

    list_display = ["batch", "sheet_number", "resolved_by", "resolved_at"]
    search_fields = ["batch__number", "resolved_by__username"]
    list_select_related = ["batch__unit", "resolved_by"]
    readonly_fields = [f.name for f in PaperResolution._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
