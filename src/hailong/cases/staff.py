"""Staff screens /can-bo/phan-anh/: the cases in the user's scope and the steps they may take.

Coordinators and administrators see every case of their units, escalations first, and assign;
unit managers see and handle their units' cases; auditors read (texts masked, no contacts);
clerks and viewers do not open these screens.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.accounts.selectors import units_in_scope
from hailong.core.imports import ImportRejected, Problem
from hailong.units.selectors import units_by_name

from .mail import outbox_send
from .models import OPEN_STATUSES, Case, Holiday
from .selectors import (
    COORDINATORS,
    HANDLERS,
    READERS,
    case_is_overdue,
    case_may,
    cases_visible,
    holidays_may_change,
    holidays_may_read,
    masked,
    tet_missing,
    unit_case_stats,
)
from .services import (
    CaseRefused,
    case_answer,
    case_assign,
    case_close,
    case_consent,
    case_from_response,
    case_start,
    cases_escalate,
    holiday_add,
    holiday_delete,
    holidays_import,
)
from .views import refused_text

PAGE = 200
TICK_EVERY = 600  # seconds between the cheap reminder/escalation runs on page loads


def _tick() -> None:
    if cache.add("hailong:cases:tick", 1, TICK_EVERY):
        cases_escalate()
        outbox_send(limit=20)  # a page load sends a few; the cron tick sends the rest


def _refused(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        "Màn hình phản ánh dành cho điều phối viên, quản lý đơn vị và kiểm toán viên",
        "the case screens are for coordinators, unit managers and auditors",
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    scope = units_in_scope(user=user, roles=READERS)
    if not scope.exists():
        return _refused(request)
    coordinator = units_in_scope(user=user, roles=COORDINATORS).exists()
    if request.method == "POST":
        try:
            case = case_from_response(actor=user, receipt=request.POST.get("bien_nhan", ""))
        except CaseRefused as exc:
            messages.error(request, refused_text(exc))
            return redirect("cases:staff_list")
        messages.success(
            request, _("Case %(code)s was made from the answer.") % {"code": case.code}
        )
        return redirect("cases:staff_case", pk=case.pk)
    _tick()
    today = timezone.localdate()
    cases = cases_visible(user=user).select_related("unit")
    status = request.GET.get("trang-thai", "")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    overdue = request.GET.get("qua-han") == "1"
    if overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    unit_code = request.GET.get("don-vi", "")
    if unit_code:
        cases = cases.filter(unit__code=unit_code)
    kind = request.GET.get("loai", "")
    if kind in Case.Kind.values:
        cases = cases.filter(kind=kind)
    order = [F("escalated_at").desc(nulls_last=True)] if coordinator else []
    cases = cases.order_by(*order, "status", "due_on", "-received_at")
    total = cases.count()
    rows = [
        {"case": c, "overdue": case_is_overdue(c, today), "text": masked(c.text)}
        for c in cases[:PAGE]
    ]
    units_seen = units_by_name(scope.filter(cases__isnull=False).distinct())
    context = {
        "rows": rows,
        "total": total,
        "page": PAGE,
        "statuses": Case.Status.choices,
        "kinds": Case.Kind.choices,
        "units": units_seen,
        "status": status,
        "overdue": overdue,
        "unit_code": unit_code,
        "kind": kind,
        "coordinator": coordinator,
        "stats": unit_case_stats(units=scope),
        "tet_missing": tet_missing(today),
        "holidays_url": reverse("cases:holidays") if holidays_may_read(user=user) else "",
    }
    return render(request, "cases/staff_list.html", context)


def _suggested(case: Case) -> str:
    """The comment tagger's factors and tone in words, not codes ("F3 · neutral")."""
    from hailong.comments.lexicon import default_lexicon
    from hailong.topics.models import Tone

    names = default_lexicon().factor_names
    factors = [f"{f} – {names[f]}" if f in names else f for f in case.factors]
    tone = str(Tone(case.tone).label) if case.tone in Tone.values else case.tone
    return " · ".join(part for part in ("; ".join(factors), tone) if part) or "–"


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    if not units_in_scope(user=user, roles=READERS).exists():
        return _refused(request)
    case = cases_visible(user=user).select_related("unit", "response").filter(pk=pk).first()
    if case is None:
        raise Http404(_("There is no such case among your units."))
    handler = case_may(user=user, case=case, roles=HANDLERS)
    coordinator = case_may(user=user, case=case, roles=COORDINATORS)
    status = 200
    if request.method == "POST":
        step = request.POST.get("buoc", "")
        try:
            if step == "giao":
                from hailong.units.models import Unit

                unit = Unit.objects.filter(code=request.POST.get("don_vi", "")).first()
                if unit is None:
                    raise CaseRefused("hãy chọn đơn vị nhận", "choose the unit")
                case_assign(actor=user, case=case, unit=unit, note=request.POST.get("ghi_chu", ""))
            elif step == "bat-dau":
                case_start(actor=user, case=case)
            elif step == "tra-loi":
                case_answer(actor=user, case=case, answer=request.POST.get("tra_loi", ""))
            elif step == "dong":
                case_close(actor=user, case=case, note=request.POST.get("ghi_chu", ""))
            elif step == "cong-khai":
                case_consent(
                    case=case, side="unit", agree=request.POST.get("dong_y") == "1", actor=user
                )
            else:
                raise CaseRefused("bước không hợp lệ", "unknown step")
        except CaseRefused as exc:
            messages.error(request, refused_text(exc))
            status = 422  # shown again with what was typed, not lost in a redirect
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:staff_case", pk=case.pk)
    contact = getattr(case, "contact", None) if handler else None
    context = {
        "case": case,
        "text": case.text if handler else masked(case.text),
        "answer": case.answer if handler else masked(case.answer),
        "contact": contact,
        "events": case.events.select_related("actor").order_by("at", "pk"),
        "handler": handler,
        "coordinator": coordinator,
        "overdue": case_is_overdue(case),
        "assign_units": units_by_name(units_in_scope(user=user, roles=COORDINATORS))
        if coordinator
        else [],
        "S": {s.name: s.value for s in Case.Status},
        "list_url": reverse("cases:staff_list"),
        "typed": request.POST if request.method == "POST" else {},
        "suggested": _suggested(case),
        "text_max": settings.HAILONG_CASE_TEXT_MAX,
    }
    return render(request, "cases/staff_case.html", context, status=status)


def _holiday_form(request: HttpRequest, user: User) -> str:
    """Apply one change of the holidays screen; the success message, or CaseRefused."""
    step = request.POST.get("buoc", "")
    if step == "them":
        try:
            day = parse_date(request.POST.get("ngay", "").strip())
        except ValueError:
            day = None
        if day is None:
            raise CaseRefused("hãy chọn ngày", "choose the day")
        holiday_add(
            actor=user,
            day=day,
            name_vi=request.POST.get("ten", ""),
            name_en=request.POST.get("ten_en", ""),
            working_day=request.POST.get("lam_bu") == "1",
        )
        return _("%(day)s was added.") % {"day": f"{day:%d/%m/%Y}"}
    if step == "xoa":
        given = request.POST.get("id", "")
        holiday = Holiday.objects.filter(pk=int(given)).first() if given.isdigit() else None
        if holiday is None:
            raise CaseRefused("ngày này không còn trong lịch", "this day is no longer in the list")
        holiday_delete(actor=user, holiday=holiday)
        return _("%(day)s was removed.") % {"day": f"{holiday.day:%d/%m/%Y}"}
    if step == "nhap":
        upload = request.FILES.get("tep")
        if upload is None:
            raise CaseRefused("hãy chọn tệp CSV", "choose a CSV file")
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CaseRefused("tệp phải là CSV hoặc XLSX", "the file must be CSV or XLSX")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"ngay-nghi{suffix}"
            path.write_bytes(upload.read())
            count = holidays_import(actor=user, path=path, file_name=upload.name or "")
        return ngettext("%(n)d day was imported.", "%(n)d days were imported.", count) % {
            "n": count
        }
    raise CaseRefused("bước không hợp lệ", "unknown step")


@login_required
@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    """Public holidays and make-up working days that case deadlines skip or count."""
    user = cast(User, request.user)
    if not holidays_may_read(user=user):
        return _holidays_refused(request)
    may_change = holidays_may_change(user=user)
    problems: list[Problem] = []
    if request.method == "POST":
        if not may_change:
            return _holidays_refused(request)
        try:
            done = _holiday_form(request, user)
        except CaseRefused as exc:
            messages.error(request, refused_text(exc))
        except ImportRejected as exc:
            problems = exc.problems
        else:
            messages.success(request, done)
            return redirect("cases:holidays")
        if not problems:
            return redirect("cases:holidays")
    today = timezone.localdate()
    context = {
        "holidays": Holiday.objects.filter(day__gte=today.replace(month=1, day=1)),
        "past": Holiday.objects.filter(day__lt=today.replace(month=1, day=1)).count(),
        "may_change": may_change,
        "tet_missing": tet_missing(today),
        "problems": problems,
        "list_url": reverse("cases:staff_list"),
    }
    return render(request, "cases/holidays.html", context, status=400 if problems else 200)


def _holidays_refused(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        "Lịch ngày nghỉ dành cho quản trị viên và điều phối viên toàn tỉnh",
        "the holidays are kept by administrators and coordinators of the whole province",
    )
