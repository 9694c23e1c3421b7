from django.contrib import admin

from .models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor_label", "action", "from_status", "to_status", "note"]
    exclude = ["actor"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the staff screens so that it is logged."""

    list_display = ["code", "unit", "kind", "status", "received_at", "due_on"]
    list_filter = ["status", "kind"]
    search_fields = ["code"]
    exclude = ["client_hash"]
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
