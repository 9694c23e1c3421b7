from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hailong.core.links import public_base

from .models import Kiosk
from .services import kiosk_registration_new


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "desk", "campaign", "active", "registered_at"]
    list_filter = ["active"]
    search_fields = ["name", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["registered_at", "created_at"]
    actions = ["new_registration"]

    def save_model(self, request: HttpRequest, obj: Kiosk, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        self._registration_message(request, obj)

    def _registration_message(self, request: HttpRequest, kiosk: Kiosk) -> None:
        code = kiosk_registration_new(kiosk=kiosk)
        link = f"{public_base(request)}/kiosk/dang-ky/{code}/"
        messages.warning(
            request,
            _("Open this address once on the tablet to register it (shown only now): %(link)s")
            % {"link": link},
        )

    @admin.action(description=_("Make a new registration link (the registered tablet stops)"))
    def new_registration(self, request: HttpRequest, queryset: QuerySet[Kiosk]) -> None:
        for kiosk in queryset:
            self._registration_message(request, kiosk)
