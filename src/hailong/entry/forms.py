"""Forms of the entry screens. Their messages say what is wrong in Vietnamese and English."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hailong.campaigns.models import Campaign
from hailong.collection.models import CollectionMode
from hailong.measurement.instruments import Instrument
from hailong.units.models import Unit

from .imports import FORMATS


def both(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def _messages(name_vi: str, name_en: str) -> dict[str, str]:
    return {
        "required": both(f"Chưa điền {name_vi}", f"{name_en} is missing"),
        "invalid": both(f"{name_vi} không hợp lệ", f"{name_en} is not valid"),
        "invalid_choice": both(f"{name_vi} không hợp lệ", f"{name_en} is not a valid choice"),
        "min_value": both(f"{name_vi} quá nhỏ", f"{name_en} is too small"),
        "max_value": both(f"{name_vi} quá lớn", f"{name_en} is too large"),
        "max_length": both(f"{name_vi} quá dài", f"{name_en} is too long"),
    }


class BatchForm(forms.Form):
    """Open a batch. Any unit may be posted; the service refuses one outside the user's units."""

    campaign = forms.ModelChoiceField(
        label=_("Survey campaign"),
        queryset=Campaign.objects.all(),
        error_messages=_messages("đợt khảo sát", "the campaign"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.all(), error_messages=_messages("đơn vị", "the unit")
    )
    number = forms.CharField(
        label=_("Batch number"),
        max_length=20,
        help_text=_("As written on the bundle"),
        error_messages=_messages("số lô", "the batch number"),
    )
    expected_sheets = forms.IntegerField(
        label=_("Sheets in the bundle"),
        min_value=1,
        max_value=10000,
        error_messages=_messages("số phiếu", "the number of sheets"),
    )
    double_entry = forms.BooleanField(
        label=_("Double entry: every sheet is typed by two different clerks"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, campaigns: list[Campaign], units: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].widget.choices = [("", "—")] + [(c.pk, c.name) for c in campaigns]
        self.fields["unit"].widget.choices = [("", "—")] + [
            (u.pk, f"{u.name} ({u.code})") for u in units
        ]


def question_field(code: str) -> str:
    return f"q_{code}"


class SheetForm(forms.Form):
    """One paper sheet: its number, then one short text box per question, then the procedure.

    The boxes take the codes as typed; the service reads and checks them against the
    questionnaire, so every rule lives in one place.
    """

    sheet_number = forms.IntegerField(
        label=_("Sheet number"),
        min_value=1,
        error_messages=_messages("số phiếu", "the sheet number"),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for q in instrument.questions():
            self.fields[question_field(q.code)] = forms.CharField(
                label=q.text.vi, required=False, max_length=q.scale.max_length
            )
        self.fields["procedure"] = forms.CharField(
            label=_("Procedure code (if written on the sheet)"), required=False, max_length=32
        )
        self.instrument = instrument

    def typed(self) -> dict[str, str]:
        return {
            q.code: self.cleaned_data.get(question_field(q.code), "")
            for q in self.instrument.questions()
        }


class UploadForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Survey campaign"),
        queryset=Campaign.objects.none(),
        error_messages=_messages("đợt khảo sát", "the campaign"),
    )
    fmt = forms.ChoiceField(
        label=_("File format"),
        choices=[
            (FORMATS[0], _("hailong template (CSV or XLSX)")),
            (FORMATS[1], _("ODK Central / KoboToolbox export (CSV or XLSX)")),
        ],
        initial=FORMATS[0],
        widget=forms.RadioSelect,
        error_messages=_messages("định dạng tệp", "the file format"),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (ODK/Kobo exports only)"),
        queryset=Unit.objects.all(),
        required=False,
        error_messages=_messages("đơn vị", "the unit"),
    )
    mode = forms.ChoiceField(
        label=_("How the answers were collected"),
        choices=CollectionMode.choices,
        initial=CollectionMode.PAPER,
        error_messages=_messages("cách thu thập", "the collection mode"),
    )
    file = forms.FileField(label=_("File"), error_messages=_messages("tệp", "the file"))

    def __init__(self, *args: Any, campaigns: Any, units: list[Unit], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["campaign"]).queryset = campaigns
        self.fields["unit"].widget.choices = [("", "—")] + [
            (u.pk, f"{u.name} ({u.code})") for u in units
        ]
