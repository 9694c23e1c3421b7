"""Forms of the campaign screens; their messages say what is wrong in Vietnamese and English."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hailong.instruments.models import InstrumentVersion
from hailong.measurement.sampling import Method
from hailong.units.models import Unit, UnitKind

from .models import Campaign, Channel


def both(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def _messages(vi: str, en: str) -> dict[str, str]:
    return {
        "required": both(f"Chưa điền {vi}", f"{en} is missing"),
        "invalid": both(f"{vi} không hợp lệ", f"{en} is not valid"),
        "invalid_choice": both(f"{vi} không hợp lệ", f"{en} is not a valid choice"),
        "min_value": both(f"{vi} quá nhỏ", f"{en} is too small"),
        "max_value": both(f"{vi} quá lớn", f"{en} is too large"),
        "max_length": both(f"{vi} quá dài", f"{en} is too long"),
        "invalid_list": both(f"{vi} không hợp lệ", f"{en} is not valid"),
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class Form(forms.Form):
    """No colon after labels: they stand above their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PeriodMixin(Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error(
                "period_end",
                both("Ngày kết thúc trước ngày bắt đầu", "the end date is before the start date"),
            )
        return data


class CampaignCreateForm(PeriodMixin):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, e.g. sipas-2026"),
        error_messages=_messages("mã đợt", "the code"),
    )
    name = forms.CharField(
        label=_("Name"), max_length=300, error_messages=_messages("tên đợt", "the name")
    )
    year = forms.IntegerField(
        label=_("Survey year"),
        min_value=2000,
        max_value=2100,
        error_messages=_messages("năm khảo sát", "the year"),
    )
    instrument = forms.ModelChoiceField(
        label=_("Questionnaire version"),
        queryset=InstrumentVersion.objects.order_by("code", "-version"),
        error_messages=_messages("phiếu khảo sát", "the questionnaire"),
    )
    period_start = forms.DateField(
        label=_("Collection starts"),
        widget=DateInput(),
        error_messages=_messages("ngày bắt đầu", "the start date"),
    )
    period_end = forms.DateField(
        label=_("Collection ends"),
        widget=DateInput(),
        error_messages=_messages("ngày kết thúc", "the end date"),
    )
    min_answers = forms.IntegerField(
        label=_("Minimum answers per figure"),
        min_value=1,
        max_value=10000,
        initial=30,
        help_text=_("Below this a figure is marked 'not enough answers' and never ranked"),
        error_messages=_messages("số câu trả lời tối thiểu", "the minimum answers"),
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence level"),
        choices=[("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")],
        coerce=Decimal,
        initial="0.95",
        error_messages=_messages("độ tin cậy", "the confidence level"),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if Campaign.objects.filter(code=code).exists():
            raise forms.ValidationError(
                both(f"Đã có đợt mã '{code}'", f"a campaign '{code}' already exists")
            )
        return code


class SettingsForm(PeriodMixin):
    channels = forms.MultipleChoiceField(
        label=_("Open channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_messages("kênh", "the channels"),
    )
    period_start = CampaignCreateForm.base_fields["period_start"]
    period_end = CampaignCreateForm.base_fields["period_end"]
    min_answers = CampaignCreateForm.base_fields["min_answers"]


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class ScopeForm(Form):
    roots = UnitChoices(
        label=_("Subtrees"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every current unit under each chosen unit (the unit itself too)"),
        error_messages=_messages("nhánh đơn vị", "the subtrees"),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Only these kinds of unit"),
        choices=[(k, label) for k, label in UnitKind.choices if k != UnitKind.PROVINCE],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind"),
        error_messages=_messages("loại đơn vị", "the unit kinds"),
    )

    def __init__(self, *args: Any, roots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["roots"])
        field.queryset = roots


METHODS: list[tuple[Method, Any]] = [
    ("proportional", _("Proportional to completed files")),
    ("equal", _("Equal per unit")),
    ("neyman", _("Neyman (more where answers vary more)")),
]


class PlannerForm(Form):
    margin = forms.TypedChoiceField(
        label=_("Margin of error"),
        choices=[("0.03", "±3%"), ("0.05", "±5%"), ("0.07", "±7%"), ("0.10", "±10%")],
        coerce=float,
        initial="0.05",
        error_messages=_messages("sai số", "the margin of error"),
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence level"),
        choices=[("0.90", "90%"), ("0.95", "95%"), ("0.99", "99%")],
        coerce=float,
        initial="0.95",
        error_messages=_messages("độ tin cậy", "the confidence level"),
    )
    method = forms.ChoiceField(
        label=_("Allocation rule"),
        choices=METHODS,
        initial="proportional",
        help_text=_(
            "How a province-wide sample is shared out when units are not planned each alone"
        ),
        error_messages=_messages("cách phân bổ", "the allocation rule"),
    )
    minimum = forms.IntegerField(
        label=_("Minimum per unit"),
        min_value=0,
        max_value=10000,
        initial=30,
        error_messages=_messages("tối thiểu mỗi đơn vị", "the minimum per unit"),
    )
    per_unit = forms.BooleanField(
        label=_("Each unit its own precision (every unit is ranked)"),
        required=False,
        initial=True,
    )


class UploadForm(Form):
    file = forms.FileField(
        label=_("Completed files per unit (CSV or XLSX)"),
        help_text=_(
            "Columns unit (unit code) and files; optionally service (procedure code) or channel"
        ),
        error_messages=_messages("tệp", "the file"),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                both("Chỉ nhận tệp .csv hoặc .xlsx", "only .csv or .xlsx files are accepted")
            )
        if uploaded.size > 5 * 1024 * 1024:
            raise forms.ValidationError(both("Tệp lớn hơn 5 MB", "the file is over 5 MB"))
        return uploaded
