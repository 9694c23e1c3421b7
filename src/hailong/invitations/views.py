"""The link on a result slip (``/m/<code>``) and the back office for invitation codes."""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.core.downloads import attachment
from hailong.core.imports import ImportRejected, read_rows
from hailong.units.models import Unit
from hailong.units.selectors import units_by_name_queryset

from .codes import code_display
from .links import invitation_url, public_base, qr_svg
from .selectors import (
    READ_ROLES,
    InvitationRefused,
    invitation_check,
    invitations_list,
    units_may_change,
    units_may_read,
)
from .services import COLUMNS, REQUIRED, invitations_create, invitations_plan

ROLES = READ_ROLES  # who sees the screen on the staff home
MAX_UPLOAD = 2 * 1024 * 1024
MAX_SLIPS = 2000
PENDING = "invitations_pending"  # session key of an upload waiting for confirmation


@require_safe
def invitation_open(request: HttpRequest, code: str) -> HttpResponse:
    """A valid code goes to the survey form; a refused one gets a page that says why."""
    try:
        invitation = invitation_check(code, today=timezone.localdate())
    except InvitationRefused as refused:
        status = 404 if refused.reason in ("malformed", "unknown") else 410
        return render(request, "invitations/refused.html", {"refused": refused}, status=status)
    return HttpResponseRedirect("/khao-sat/?" + urlencode({"ma": invitation.code}))


def _units(request: HttpRequest, *, change: bool = False) -> QuerySet[Unit]:
    """The units the request may read (or, with ``change``, create codes for); 403 if none."""
    user = cast(User, request.user)
    units = units_may_change(user=user) if change else units_may_read(user=user)
    if not units.exists():
        raise PermissionDenied
    return units


def _campaigns(units: QuerySet[Unit]) -> QuerySet[Campaign]:
    return Campaign.objects.filter(scope__unit__in=units).distinct().order_by("-year", "code")


class FilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        Campaign.objects.none(), label=_("Campaign"), required=False, empty_label=_("All")
    )
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("Unit"), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("unused", _("Unused")),
            ("used", _("Used")),
            ("expired", _("Expired")),
        ],
    )
    q = forms.CharField(label=_("Code or file number"), required=False, max_length=64)
    lo = forms.CharField(label=_("Batch"), required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns(units)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_by_name_queryset(units)  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Campaign"))
    file = forms.FileField(
        label=_("File of completed files (CSV or XLSX)"),
        help_text=_("Columns: file_number, unit_code, service_code, completed_on, expires_on"),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns(units).exclude(  # type: ignore[attr-defined]
            status__in=(Campaign.Status.CLOSED, Campaign.Status.PUBLISHED)
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(
                "Tệp phải có đuôi .csv hoặc .xlsx / Choose a .csv or .xlsx file"
            )
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Tệp lớn hơn 2 MB / The file is larger than 2 MB")
        return upload


def _filtered(request: HttpRequest, units: QuerySet[Unit]) -> tuple[FilterForm, QuerySet[Any]]:
    form = FilterForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    codes = invitations_list(
        units=units,
        today=timezone.localdate(),
        campaign=data.get("campaign"),
        unit=data.get("unit"),
        status=data.get("status") or "",
        batch=data.get("lo") or "",
        search=(data.get("q") or "").strip(),
    )
    return form, codes


@login_required
@require_safe
def codes_list(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    form, codes = _filtered(request, units)
    today = timezone.localdate()
    counts = codes.aggregate(
        total=Count("pk"),
        used=Count("pk", filter=Q(used_at__isnull=False)),
        expired=Count("pk", filter=Q(used_at__isnull=True, expires_on__lt=today)),
    )
    page = Paginator(codes, 100).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "today": today,
        "query": query.urlencode(),
        "done": request.session.pop("invitations_done", None),
        "read_only": not units_may_change(user=cast(User, request.user)).exists(),
    }
    return render(request, "invitations/list.html", context)


@login_required
def codes_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file and see what would be created (a dry run); nothing is written here."""
    units = _units(request, change=True)
    form = UploadForm(request.POST or None, request.FILES or None, units=units)
    context: dict[str, Any] = {"form": form, "columns": COLUMNS}
    if request.method != "POST":
        return render(request, "invitations/upload.html", context)
    if not form.is_valid():
        return render(request, "invitations/upload.html", context, status=422)
    campaign, upload = form.cleaned_data["campaign"], form.cleaned_data["file"]
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.read())
            rows = read_rows(path, REQUIRED)
        plan = invitations_plan(campaign=campaign, rows=rows, units_allowed=units)
    except ImportRejected as exc:
        context["problems"] = exc.problems[:200]
        context["more"] = max(0, len(exc.problems) - 200)
        context["filename"] = upload.name
        return render(request, "invitations/upload.html", context, status=422)
    token = secrets.token_urlsafe(16)
    request.session[PENDING] = {
        "token": token,
        "campaign": campaign.pk,
        "filename": upload.name,
        "rows": [[n, {c: _cell(r.get(c)) for c in COLUMNS}] for n, r in rows],
    }
    context.update(plan=plan, campaign=campaign, token=token, filename=upload.name,
                   new=sum(1 for p in plan if p.existing is None))  # fmt: skip
    return render(request, "invitations/preview.html", context)


def _cell(value: Any) -> str:
    return (
        value.isoformat()[:10]
        if hasattr(value, "isoformat")
        else ("" if value is None else str(value))
    )


@login_required
@require_POST
def codes_create(request: HttpRequest) -> HttpResponse:
    """Create the codes of the upload just previewed, all or nothing."""
    units = _units(request, change=True)
    pending = request.session.get(PENDING)
    if not pending or pending.get("token") != request.POST.get("token"):
        return render(request, "invitations/upload.html",
                      {"form": UploadForm(units=units), "columns": COLUMNS, "expired_upload": True},
                      status=409)  # fmt: skip
    campaign = _campaigns(units).get(pk=pending["campaign"])
    rows = [(n, row) for n, row in pending["rows"]]
    batch = secrets.token_hex(8)
    try:
        codes = invitations_create(
            campaign=campaign,
            rows=rows,
            created_by=request.user if isinstance(request.user, User) else None,
            units_allowed=units,
            batch=batch,
        )
    except ImportRejected as exc:
        del request.session[PENDING]
        context = {"form": UploadForm(units=units), "columns": COLUMNS,
                   "problems": exc.problems[:200], "more": max(0, len(exc.problems) - 200),
                   "filename": pending["filename"]}  # fmt: skip
        return render(request, "invitations/upload.html", context, status=422)
    del request.session[PENDING]
    new = sum(1 for c in codes if c.batch == batch)
    request.session["invitations_done"] = {"new": new, "existing": len(codes) - new}
    return redirect(reverse("invitations:list") + "?" + urlencode({"lo": batch}))


@login_required
@require_safe
def codes_csv(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    _, codes = _filtered(request, units)
    codes = codes.order_by("unit__path", "file_number")
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "display", "file_number", "unit_code", "unit_name", "service_code",
                     "completed_on", "expires_on", "status", "url"])  # fmt: skip
    for c in codes:
        writer.writerow([c.code, code_display(c.code), c.file_number, c.unit.code, c.unit.name,
                         c.service.code if c.service else "", c.completed_on.isoformat(),
                         c.expires_on.isoformat(),
                         "used" if c.used_at else ("expired" if c.expires_on < today else "unused"),
                         invitation_url(c.code, request)])  # fmt: skip
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, "ma-moi.csv")


@login_required
@require_safe
def codes_slips(request: HttpRequest) -> HttpResponse:
    """Printable A4 slips, one per code, each with its QR code."""
    units = _units(request)
    _, codes = _filtered(request, units)
    chosen = list(codes.order_by("unit__path", "file_number")[: MAX_SLIPS + 1])
    slips = [
        {"invitation": c, "display": code_display(c.code),
         "qr": qr_svg(invitation_url(c.code, request), title=f"QR {code_display(c.code)}")}
        for c in chosen[:MAX_SLIPS]
    ]  # fmt: skip
    context = {"slips": slips, "more": len(chosen) > MAX_SLIPS, "max": MAX_SLIPS,
               "address": public_base(request) + "/khao-sat/"}  # fmt: skip
    return render(request, "invitations/slips.html", context)


@login_required
@require_safe
def template_csv(request: HttpRequest) -> HttpResponse:
    _units(request, change=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    today = timezone.localdate().isoformat()
    writer.writerow(["000.00.38.H56-250304-0001", "14797", "1.001193", today, ""])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, "mau-ma-moi.csv")
