"""The search form of the comments list and board; its unit choices are the user's units only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hailong.units.models import Unit
from hailong.units.selectors import units_by_name_queryset

from .models import Tone
from .selectors import FACTOR_LABELS, Filters


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words (all of them, with or without diacritics)"), max_length=200, required=False
    )
    don_vi = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All my units")
    )
    yeu_to = forms.ChoiceField(label=_("Factor"), required=False)
    giong = forms.ChoiceField(label=_("Tone"), required=False)
    tu_ngay = forms.DateField(label=_("From"), required=False, widget=DateInput())
    den_ngay = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].queryset = units_by_name_queryset(units)  # type: ignore[attr-defined]
        self.fields["yeu_to"].choices = [("", _("All factors")), *FACTOR_LABELS.items()]  # type: ignore[attr-defined]
        self.fields["giong"].choices = [("", _("All tones")), *Tone.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("tu_ngay"), data.get("den_ngay")
        if since and until and since > until:
            self.add_error("den_ngay", _("The end date is before the start date."))
        return data

    def filters(self) -> Filters:
        """The search as asked; call only on a valid form."""
        d = self.cleaned_data
        return Filters(
            words=d.get("q") or "",
            unit=d.get("don_vi"),
            factor=d.get("yeu_to") or "",
            tone=d.get("giong") or "",
            since=d.get("tu_ngay"),
            until=d.get("den_ngay"),
        )
