from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .models import Desk, Service, Unit


class DeskInline(admin.TabularInline):
    model = Desk
    extra = 0
    fields = ["code", "name", "active", "created_at"]
    readonly_fields = ["created_at"]


def _print(route: str, units: QuerySet[Unit]) -> HttpResponseRedirect:
    """Hand the selected units to the QR printing screens, which check the user's scope."""
    query = urlencode([("don-vi", code) for code in units.values_list("code", flat=True)])
    return HttpResponseRedirect(f"{reverse(route)}?{query}")


@admin.action(description=_("Print QR posters"))
def print_qr_posters(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Unit]
) -> HttpResponseRedirect:
    return _print("qrcodes:posters", queryset)


@admin.action(description=_("Print QR slips"))
def print_qr_slips(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Unit]
) -> HttpResponseRedirect:
    return _print("qrcodes:slips_many", queryset)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "valid_to"]
    search_fields = ["name", "code", "name_en"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth", "qr_codes"]
    inlines = [DeskInline]
    actions = [print_qr_posters, print_qr_slips]

    @admin.display(description=_("QR codes"))
    def qr_codes(self, unit: Unit) -> str:
        if not unit.pk:
            return "–"
        url = reverse("qrcodes:unit", args=[unit.code])
        return format_html('<a href="{}">{}</a>', url, _("QR codes, posters and slips"))


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field", "level"]
    list_filter = ["level", "field"]
    search_fields = ["code", "name", "field"]
    filter_horizontal = ["units"]
