"""The staff report page (/can-bo/bao-cao/): ask for documents, watch them being made, download.

Every view checks role and unit scope through ``selectors.report_access``: whole-province
readers have every document; unit managers and viewers the scorecards of their units and the
province documents once published; clerks nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.core.downloads import attachment
from hailong.units.models import Unit
from hailong.units.selectors import units_by_name

from .models import ReportJob
from .runner import SUFFIX
from .selectors import (
    ReportAccess,
    campaigns_for_reports,
    computation_for_report,
    jobs_visible,
    report_access,
)
from .services import JobRefused, job_request, reports_dir

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def _refused(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        "Trang báo cáo dành cho cán bộ điều phối, quản trị hệ thống, kiểm tra, lãnh đạo cơ quan,"
        " đơn vị và người xem kết quả; mỗi người chỉ thấy tài liệu của cơ quan, đơn vị mình phụ"
        " trách",
        "reports are for coordinators, administrators, auditors, unit managers and viewers;"
        " each sees the documents of their own units",
    )


def _jobs_context(access: ReportAccess) -> dict[str, Any]:
    jobs = jobs_visible(access=access, campaigns=campaigns_for_reports(access=access))
    return {"jobs": jobs, "polling": any(j.active for j in jobs)}


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    access = report_access(user=user)
    if not access.any:
        return _refused(request)
    campaigns = campaigns_for_reports(access=access)
    if request.method == "POST":
        return _request(request, user, access)
    rows = []
    for campaign in campaigns:
        computation = computation_for_report(campaign=campaign)
        kinds = [
            (k, label)
            for k, label in ReportJob.Kind.choices
            if k != ReportJob.Kind.SCORECARD_PDF
            and access.may(kind=k, unit=None, computation=computation)
        ]
        in_campaign = Unit.objects.filter(campaignunit__campaign=campaign)
        if not access.whole:
            in_campaign = in_campaign.filter(pk__in=access.units)
        units = units_by_name(in_campaign)
        rows.append(
            {"campaign": campaign, "computation": computation, "kinds": kinds, "units": units}
        )
    return render(request, "reports/index.html", {"rows": rows, **_jobs_context(access)})


def _request(request: HttpRequest, user: User, access: ReportAccess) -> HttpResponse:
    back = redirect("reports:index")
    campaign = campaigns_for_reports(access=access).filter(code=request.POST.get("dot", "")).first()
    kind = request.POST.get("loai", "")
    unit = None
    if kind == ReportJob.Kind.SCORECARD_PDF:
        unit = Unit.objects.filter(
            code=request.POST.get("don_vi", ""), campaignunit__campaign=campaign
        ).first()
        if unit is None:  # no unit, or one outside the campaign
            messages.error(request, _("Choose the unit whose scorecard you want."))
            return back
    if campaign is None or not access.may(
        kind=kind, unit=unit, computation=computation_for_report(campaign=campaign)
    ):
        messages.error(request, _("You may not ask for this document."))
        return back
    try:
        job, new = job_request(campaign=campaign, kind=kind, unit=unit, requested_by=user)
    except JobRefused as exc:
        messages.error(request, exc.en if translation.get_language() == "en" else exc.vi)
        return back
    if new:
        messages.success(request, _("The document is being made; its progress is shown below."))
    elif job.status == ReportJob.Status.DONE:
        messages.success(
            request, _("This document was already made from the same figures: download it below.")
        )
    else:
        messages.success(
            request, _("The same document is already being made; its progress is shown below.")
        )
    return back


@login_required
@require_safe
def jobs(request: HttpRequest) -> HttpResponse:
    """The jobs table alone, which htmx swaps in every second while a job is running."""
    access = report_access(user=cast(User, request.user))
    if not access.any:
        return _refused(request)
    return render(request, "reports/_jobs.html", _jobs_context(access))


def download_name(job: ReportJob) -> str:
    """The Vietnamese file name the browser saves the document under."""
    code = job.campaign.code
    names = {
        ReportJob.Kind.REPORT_PDF: f"Báo cáo kết quả khảo sát {code}",
        ReportJob.Kind.WORKBOOK_XLSX: f"Bảng kết quả {code}",
        ReportJob.Kind.PAR_XLSX: f"Điểm PAR {code}",
        ReportJob.Kind.SCORECARDS_ZIP: f"Phiếu điểm các cơ quan, đơn vị {code}",
        ReportJob.Kind.SCORECARD_PDF: f"Phiếu điểm {job.unit.name if job.unit else ''} {code}",
    }
    name = names[ReportJob.Kind(job.kind)]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\"')
    return f"{name}.{SUFFIX[ReportJob.Kind(job.kind)]}"


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    access = report_access(user=cast(User, request.user))
    job = get_object_or_404(
        ReportJob.objects.select_related("campaign", "computation", "unit"), pk=pk
    )
    if not access.may_job(job):
        return _refused(request)
    path = reports_dir() / job.file if job.file else None
    if job.status != ReportJob.Status.DONE or path is None or not path.is_file():
        raise Http404(_("This document is not ready, or its file was removed: ask for it again."))
    name = download_name(job)
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[Path(name).suffix[1:]])
    return attachment(response, name)
