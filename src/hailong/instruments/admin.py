from django.contrib import admin

from .models import InstrumentVersion


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "kind", "source", "frozen_at"]
    list_filter = ["source", "kind"]
    search_fields = ["code", "title"]
    readonly_fields = ["digest", "frozen_at", "created_at"]
