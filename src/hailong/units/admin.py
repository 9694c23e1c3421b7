from django.contrib import admin

from .models import Service, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "valid_to"]
    search_fields = ["name", "code", "name_en"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field", "level"]
    list_filter = ["level", "field"]
    search_fields = ["code", "name", "field"]
    filter_horizontal = ["units"]
