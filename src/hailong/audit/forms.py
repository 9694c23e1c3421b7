from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .selectors import actions_known


class SearchForm(forms.Form):
    """The search over the log; every field optional, all given ones must hold."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    obj = forms.CharField(label=_("Object"), required=False, max_length=255)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Words in the reason"), required=False, max_length=200)

    def __init__(self, *args: Any, entries: QuerySet[AuditEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All actions"))] + [(a, a) for a in actions_known(entries)]
        self.fields["action"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                "Ngày “Đến” trước ngày “Từ” / the “To” date comes before the “From” date",
            )
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters (none when the form has errors, so nothing is hidden by accident)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
