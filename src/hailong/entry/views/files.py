"""Answer files: download a template, upload a file for a dry run, then commit it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hailong.campaigns.models import Campaign
from hailong.core.downloads import attachment
from hailong.core.imports import ImportRejected, Problem
from hailong.units.models import Unit
from hailong.units.selectors import units_by_name

from ..files import template_csv, template_xlsx
from ..forms import UploadForm
from ..imports import upload_bytes, upload_commit, upload_keep, upload_preview
from ..selectors import entry_units, open_campaigns
from .common import change_required, user_of

MAX_BYTES = 20 * 1024 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_safe
@change_required
def template_download(request: HttpRequest, code: str, ext: str) -> HttpResponse:
    """The answer-file template of a campaign's questionnaire."""
    if ext not in CONTENT_TYPES:
        raise Http404("no such template format")
    campaign = get_object_or_404(open_campaigns(user=user_of(request)), code=code)
    instrument = campaign.instrument.to_core()
    data = template_csv(instrument) if ext == "csv" else template_xlsx(instrument)
    response = HttpResponse(data, content_type=CONTENT_TYPES[ext])
    return attachment(response, f"mau-{campaign.code}.{ext}")


def _form(request: HttpRequest, data: object = None, files: object = None) -> UploadForm:
    user = user_of(request)
    units = units_by_name(entry_units(user=user).filter(valid_to__isnull=True))
    return UploadForm(data, files, campaigns=open_campaigns(user=user), units=units)


def _preview_page(
    request: HttpRequest, form: UploadForm, *, digest: str, problems: list[Problem], preview: object
) -> HttpResponse:
    context = {"form": form, "digest": digest, "problems": problems, "preview": preview}
    return render(request, "entry/preview.html", context, status=400 if problems else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@change_required
def upload(request: HttpRequest) -> HttpResponse:
    """Choose a file and see what it would store; nothing is written here."""
    form = _form(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            form.add_error(
                "file",
                "Tệp lớn hơn 20 MB; hãy chia nhỏ / the file is over 20 MB; split it",
            )
        else:
            data = uploaded.read()
            digest = upload_keep(data=data)
            preview = upload_preview(
                user=user_of(request),
                campaign=form.cleaned_data["campaign"],
                data=data,
                fmt=form.cleaned_data["fmt"],
                unit=form.cleaned_data["unit"],
            )
            return _preview_page(
                request, form, digest=digest, problems=preview.problems, preview=preview
            )
    campaigns = list(open_campaigns(user=user_of(request)))
    return render(request, "entry/upload.html", {"form": form, "campaigns": campaigns})


@require_POST
@change_required
def upload_commit_view(request: HttpRequest) -> HttpResponse:
    """Store the previewed file, re-read from where the upload kept it: all rows or none."""
    form = _form(request, request.POST)
    form.fields["file"].required = False  # the file is the one kept at preview, named by digest
    digest = request.POST.get("digest", "")
    data = upload_bytes(digest=digest)
    if not form.is_valid() or data is None:
        messages.error(
            request,
            "Không tìm thấy tệp đã xem trước; hãy tải lên lại / "
            "the previewed file is gone; upload it again",
        )
        return redirect("entry:upload")
    campaign: Campaign = form.cleaned_data["campaign"]
    unit: Unit | None = form.cleaned_data["unit"]
    try:
        report = upload_commit(
            user=user_of(request),
            campaign=campaign,
            data=data,
            fmt=form.cleaned_data["fmt"],
            unit=unit,
            mode=form.cleaned_data["mode"],
        )
    except ImportRejected as exc:
        return _preview_page(request, form, digest=digest, problems=exc.problems, preview=None)
    messages.success(
        request,
        _("Stored %(stored)s answers; %(already)s were already stored.")
        % {"stored": report.stored, "already": report.already},
    )
    return redirect("entry:upload")
