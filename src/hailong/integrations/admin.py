from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Scope
from .services import api_key_secret


class ApiKeyForm(forms.ModelForm):
    scopes = forms.TypedMultipleChoiceField(
        label=_("permissions"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "whole_province", "units", "active", "expires_at"]


def _show_once(request: HttpRequest, key: ApiKey, raw: str) -> None:
    messages.warning(
        request,
        _(
            "The key of “%(name)s” is %(key)s — copy it now: it is shown only this once "
            "and cannot be read again."
        )
        % {"name": key.name, "key": raw},
    )


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "whole_province", "active", "last_used_at", "expires_at"]
    list_filter = ["active", "whole_province"]
    search_fields = ["name", "prefix"]
    autocomplete_fields = ["units"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["issue_new_secret"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        raw = None if change else api_key_secret(key=obj)
        super().save_model(request, obj, form, change)
        if raw is not None:
            _show_once(request, obj, raw)

    @admin.action(description=_("Issue a new secret (the old key stops working)"))
    def issue_new_secret(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            raw = api_key_secret(key=key)
            key.save(update_fields=["prefix", "key_hash"])
            _show_once(request, key, raw)
