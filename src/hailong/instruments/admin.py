from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import InstrumentVersion
from .services import instrument_new_version


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "kind", "source", "frozen_at"]
    list_filter = ["source", "kind"]
    search_fields = ["code", "title"]
    readonly_fields = ["digest", "frozen_at", "created_at", "kind"]
    actions = ["new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.in_use:
            fields += ["code", "version", "definition"]
        return fields

    @admin.action(description=_("Make a new editable version"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset:
            copy = instrument_new_version(version=version, actor=request.user)  # type: ignore[arg-type]
            self.message_user(
                request,
                _("Created %(title)s v%(n)s.") % {"title": copy.title, "n": copy.version},
                messages.SUCCESS,
            )
