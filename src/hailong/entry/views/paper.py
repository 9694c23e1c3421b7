"""Paper batches: open one, type its sheets, settle the double-entry mismatches."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hailong.measurement.instruments import Instrument
from hailong.units.selectors import units_by_name

from ..answers import answer_text, legend
from ..forms import BatchForm, SheetForm, question_field
from ..models import PaperBatch
from ..selectors import (
    SERVICE,
    batch_list,
    batch_progress,
    batch_sheets,
    entry_units,
    may_change,
    may_settle,
    next_sheet,
    open_campaigns,
    sheet_differences,
)
from ..services import (
    EntryRefused,
    SheetRejected,
    batch_close,
    batch_open,
    sheet_enter,
    sheet_resolve,
)
from .common import batch_for, change_required, entry_required, refused, user_of


@require_safe
@entry_required
def index(request: HttpRequest) -> HttpResponse:
    open_first = F("closed_at").asc(nulls_first=True)
    batches = batch_list(user=user_of(request)).order_by(open_first, "-created_at")[:200]
    rows = []
    for batch in batches:
        rows.append((batch, batch_progress(batch=batch, sheets=batch_sheets(batch=batch))))
    read_only = not entry_units(user=user_of(request)).exists()
    return render(request, "entry/index.html", {"rows": rows, "read_only": read_only})


@require_http_methods(["GET", "HEAD", "POST"])
@change_required
def batch_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    campaigns = list(open_campaigns(user=user))
    units = units_by_name(
        entry_units(user=user)
        .filter(campaignunit__campaign__in=campaigns)
        .filter(Q(valid_to__isnull=True))
        .distinct()
    )
    form = BatchForm(request.POST or None, campaigns=campaigns, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            batch = batch_open(user=user, **form.cleaned_data)
        except PermissionDenied:
            unit = form.cleaned_data["unit"]
            return refused(
                request,
                f"Đơn vị {unit.name} ngoài phạm vi của bạn",
                f"{unit.name} is outside the units you hold",
            )
        except EntryRefused as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            return redirect("entry:sheet", pk=batch.pk)
    return render(request, "entry/batch_new.html", {"form": form, "campaigns": campaigns})


@require_safe
@entry_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request, pk)
    if isinstance(batch, HttpResponse):
        return batch
    sheets = batch_sheets(batch=batch)
    context = {
        "batch": batch,
        "sheets": sheets.values(),
        "progress": batch_progress(batch=batch, sheets=sheets),
        "read_only": not may_change(user=user_of(request), unit=batch.unit),
    }
    return render(request, "entry/batch.html", context)


def _sections(form: SheetForm, instrument: Instrument, language: str) -> list[dict[str, Any]]:
    """The questions as the screen shows them, with their code legends and errors."""
    first_error = next((name for name in form.fields if form.errors.get(name)), None)
    autofocus = first_error or question_field(next(instrument.questions()).code)
    sections = []
    for section in instrument.sections:
        questions = []
        for q in section.questions:
            name = question_field(q.code)
            questions.append(
                {
                    "code": q.code,
                    "text": q.text.get(language),
                    "required": q.required,
                    "coded": q.scale.type in ("ordinal", "choice", "multi"),
                    "multi": q.scale.type == "multi",
                    "legend": legend(q, language),
                    "field": form[name],
                    "autofocus": name == autofocus,
                }
            )
        sections.append({"title": section.title.get(language), "questions": questions})
    return sections


@require_http_methods(["GET", "HEAD", "POST"])
@change_required
def sheet_entry(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request, pk, change=True)
    if isinstance(batch, HttpResponse):
        return batch
    user = user_of(request)
    instrument = batch.campaign.instrument.to_core()
    sheets = batch_sheets(batch=batch)
    upcoming = next_sheet(batch=batch, clerk=user, sheets=sheets)
    form = SheetForm(
        request.POST or None, instrument=instrument, initial={"sheet_number": upcoming}
    )
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["sheet_number"]
        try:
            outcome = sheet_enter(
                batch=batch,
                clerk=user,
                sheet_number=number,
                typed=form.typed(),
                service=form.cleaned_data["procedure"],
            )
        except SheetRejected as exc:
            for problem in exc.problems:
                field = "procedure" if problem.code == SERVICE else question_field(problem.code)
                form.add_error(field, str(problem))
        except EntryRefused as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            text = {
                "stored": _("Sheet %(n)s stored."),
                "waiting": _("Sheet %(n)s saved; it waits for the second copy by another clerk."),
                "mismatch": _(
                    "Sheet %(n)s differs from the first copy; it is listed for resolution."
                ),
            }[outcome] % {"n": number}
            (messages.warning if outcome == "mismatch" else messages.success)(request, text)
            return redirect("entry:sheet", pk=batch.pk)
    language = translation.get_language() or "vi"
    context = {
        "batch": batch,
        "form": form,
        "sections": _sections(form, instrument, language),
        "upcoming": upcoming,
        "progress": batch_progress(batch=batch, sheets=sheets),
    }
    return render(request, "entry/sheet.html", context, status=400 if form.errors else 200)


def _labelled(instrument: Instrument, code: str, value: object, language: str) -> str:
    if value is None or value == "":
        return "—"
    if code == SERVICE:
        return str(value)
    q = instrument.question(code)
    labels = dict(legend(q, language))
    shown = answer_text(value)
    parts = shown.split() if q.scale.type == "multi" else [shown]
    return "; ".join(f"{p} – {labels[p]}" if p in labels else p for p in parts)


def _mismatch_rows(batch: PaperBatch, language: str) -> list[dict[str, Any]]:
    instrument = batch.campaign.instrument.to_core()
    out = []
    for sheet in batch_sheets(batch=batch).values():
        if sheet.status != "mismatch":
            continue
        first, second = sheet.copies
        one = {
            **first.answers,
            **first.profile,
            SERVICE: first.service.code if first.service else "",
        }
        two = {
            **second.answers,
            **second.profile,
            SERVICE: second.service.code if second.service else "",
        }
        rows = []
        for code in sheet_differences(instrument, first, second):
            rows.append(
                {
                    "code": code,
                    "text": _("Procedure code")
                    if code == SERVICE
                    else instrument.question(code).text.get(language),
                    "first": _labelled(instrument, code, one.get(code), language),
                    "second": _labelled(instrument, code, two.get(code), language),
                    "first_raw": answer_text(one.get(code)),
                    "second_raw": answer_text(two.get(code)),
                }
            )
        out.append({"sheet": sheet, "first": first, "second": second, "rows": rows})
    return out


def _render_mismatches(
    request: HttpRequest,
    batch: PaperBatch,
    *,
    failed: int | None = None,
    errors: tuple[str, ...] = (),
) -> HttpResponse:
    """The mismatch screen; after a refused resolution, that sheet shows why and what was picked."""
    language = translation.get_language() or "vi"
    user = user_of(request)
    items = _mismatch_rows(batch, language)
    for item in items:
        item["may_settle"] = may_settle(user=user, batch=batch, copies=item["sheet"].copies)
        if item["sheet"].number == failed:
            item["errors"] = errors
            for row in item["rows"]:
                row["pick"] = request.POST.get(f"pick-{row['code']}", "")
                row["other"] = request.POST.get(f"other-{row['code']}", "")
    if failed is not None and all(item["sheet"].number != failed for item in items):
        for error in errors:  # the sheet is no longer listed (resolved meanwhile): say why here
            messages.error(request, error)
    read_only = not may_change(user=user, unit=batch.unit)
    context = {"batch": batch, "items": items, "read_only": read_only}
    return render(request, "entry/mismatches.html", context, status=400 if errors else 200)


@require_safe
@entry_required
def mismatches(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request, pk)
    if isinstance(batch, HttpResponse):
        return batch
    return _render_mismatches(request, batch)


@require_POST
@change_required
def mismatch_resolve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    batch = batch_for(request, pk, change=True)
    if isinstance(batch, HttpResponse):
        return batch
    language = translation.get_language() or "vi"
    item = next((i for i in _mismatch_rows(batch, language) if i["sheet"].number == number), None)
    chosen: dict[str, str] = {}
    for row in item["rows"] if item else []:
        pick = request.POST.get(f"pick-{row['code']}")
        if pick in ("first", "second"):
            chosen[row["code"]] = row[f"{pick}_raw"]
        elif pick == "other":
            chosen[row["code"]] = request.POST.get(f"other-{row['code']}", "")
    try:
        sheet_resolve(batch=batch, sheet_number=number, resolver=user_of(request), chosen=chosen)
    except SheetRejected as exc:
        errors = tuple(f"{p.code}: {p}" for p in exc.problems)
        return _render_mismatches(request, batch, failed=number, errors=errors)
    except EntryRefused as exc:
        return _render_mismatches(request, batch, failed=number, errors=(str(exc),))
    messages.success(request, _("Sheet %(n)s resolved and stored.") % {"n": number})
    return redirect(reverse("entry:mismatches", kwargs={"pk": batch.pk}))


@require_POST
@change_required
def batch_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request, pk, change=True)
    if isinstance(batch, HttpResponse):
        return batch
    batch_close(batch=batch, user=user_of(request))
    messages.success(request, _("Batch %(number)s closed.") % {"number": batch.number})
    return redirect("entry:batch", pk=batch.pk)
