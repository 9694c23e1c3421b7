"""The coordinators' campaign screens (/can-bo/dot-khao-sat/): list, create, settings, scope,
steps, results and the plan of files and quotas.

Every change goes through a service in ``campaigns.services``; the screens check who may see
and change what (role and unit scope) and show what a service refused, in both languages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.accounts.selectors import user_roles
from hailong.core.imports import ImportRejected, Problem
from hailong.entry.imports import upload_bytes, upload_keep
from hailong.results.selectors import computation_latest, computation_published
from hailong.units.models import Unit, UnitKind
from hailong.units.selectors import unit_name_key

from .forms import CampaignCreateForm, PlannerForm, ScopeForm, SettingsForm, UploadForm
from .models import Campaign, CampaignUnit, Channel
from .selectors import (
    READ_ROLES,
    campaign_changeable,
    campaign_units,
    campaigns_visible,
    scope_roots,
)
from .services import (
    TRANSITIONS,
    PlanError,
    TransitionRefused,
    campaign_create,
    campaign_recompute,
    campaign_settings_update,
    campaign_transition,
    plan_save,
    quotas_by_kind,
    quotas_propose,
    scope_set,
    volumes_import,
    volumes_read,
)

View = Callable[..., HttpResponse]
# One click sets these (Bình Dương 2018: 150 per commune, 200 per ward); the numbers are editable.
KIND_DEFAULTS = {
    UnitKind.DEPARTMENT: 200,
    UnitKind.SERVICE_CENTRE: 200,
    UnitKind.DISTRICT: 200,
    UnitKind.COMMUNE: 150,
    UnitKind.WARD: 200,
    UnitKind.SPECIAL_ZONE: 150,
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def readers_only(view: View) -> View:
    """Signed in, with a role that reads campaigns (clerks enter answers and do not)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not set(READ_ROLES) & user_roles(user=_user(request)):
            return refused(
                request,
                "Tài khoản của bạn không có vai trò xem các đợt khảo sát",
                "your account holds no role that reads survey campaigns",
            )
        return view(request, *args, **kwargs)

    return wrapped


def _campaign(request: HttpRequest, code: str) -> Campaign:
    """The campaign if it covers one of the user's units (404 otherwise: it is not theirs)."""
    return get_object_or_404(campaigns_visible(user=_user(request)), code=code)


def _changer(request: HttpRequest, campaign: Campaign | None) -> HttpResponse | None:
    if campaign_changeable(user=_user(request), campaign=campaign):
        return None
    return refused(
        request,
        "Chỉ quản trị hệ thống và điều phối viên phụ trách mọi đơn vị của đợt được thay đổi",
        "only administrators and coordinators over every unit of the campaign change it",
    )


def changers_only(view: Callable[[HttpRequest, Campaign], HttpResponse]) -> View:
    """A POST from a reader who may change this campaign; the view gets the campaign.

    The campaign is looked up among those the user sees (404 otherwise) before the change check,
    so the refusals are those of ``readers_only`` and ``_changer``."""

    @require_POST
    @readers_only
    @wraps(view)
    def wrapped(request: HttpRequest, code: str) -> HttpResponse:
        campaign = _campaign(request, code)
        if (denied := _changer(request, campaign)) is not None:
            return denied
        return view(request, campaign)

    return wrapped


def _refusal(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


@require_safe
@readers_only
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "campaigns": campaigns_visible(user=user).order_by("-year", "code"),
        "may_change": campaign_changeable(user=user),
    }
    return render(request, "campaigns/list.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@readers_only
def campaign_new(request: HttpRequest) -> HttpResponse:
    if (denied := _changer(request, None)) is not None:
        return denied
    form = CampaignCreateForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(**form.cleaned_data, actor=_user(request))
        except PlanError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Campaign created. Next: choose its units in scope."))
            return redirect("campaigns:detail", campaign.code)
    return render(request, "campaigns/new.html", {"form": form, "error": error})


def _detail_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    user = _user(request)
    may_change = campaign_changeable(user=user, campaign=campaign)
    rows = list(campaign_units(campaign=campaign, user=user))
    by_kind: dict[str, list[int]] = {}
    for cu in rows:
        counts = by_kind.setdefault(cu.unit.get_kind_display(), [0, 0, 0])
        counts[0] += 1
        counts[1] += cu.quota
        counts[2] += cu.answers_so_far  # type: ignore[attr-defined]  # campaign_units counts
    steps = [to for before, to in sorted(TRANSITIONS) if before == campaign.status]
    return {
        "campaign": campaign,
        "may_change": may_change,
        "editable": campaign.status != Campaign.Status.PUBLISHED,
        "by_kind": sorted(by_kind.items()),
        "units_seen": len(rows),
        "steps": steps,
        "channels": [str(Channel(c).label) for c in campaign.channels if c in Channel.values],
        "latest": computation_latest(campaign=campaign),
        "published": computation_published(campaign=campaign),
        "settings_form": SettingsForm(
            initial={
                "channels": campaign.channels,
                "period_start": campaign.period_start,
                "period_end": campaign.period_end,
                "min_answers": campaign.min_answers,
            }
        ),
        "scope_form": ScopeForm(roots=scope_roots(user=user)),
    }


@require_safe
@readers_only
def campaign_detail(request: HttpRequest, code: str) -> HttpResponse:
    campaign = _campaign(request, code)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


@changers_only
def campaign_settings(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            changed = campaign_settings_update(
                campaign=campaign, **form.cleaned_data, actor=_user(request)
            )
        except PlanError as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request, _("Settings saved.") if changed else _("Nothing was changed.")
            )
            return redirect("campaigns:detail", campaign.code)
    context = {**_detail_context(request, campaign), "settings_form": form}
    return render(request, "campaigns/detail.html", context, status=400)


@changers_only
def campaign_scope(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = ScopeForm(request.POST, roots=scope_roots(user=_user(request)))
    if form.is_valid():
        try:
            n = scope_set(
                campaign=campaign,
                roots=list(form.cleaned_data["roots"]),
                kinds=form.cleaned_data["kinds"],
                actor=_user(request),
            )
        except PlanError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("%(n)s units are in scope.") % {"n": n})
            return redirect("campaigns:detail", campaign.code)
    context = {**_detail_context(request, campaign), "scope_form": form}
    return render(request, "campaigns/detail.html", context, status=400)


@changers_only
def campaign_step(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    try:
        campaign_transition(
            campaign=campaign,
            to=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
            actor=_user(request),
        )
    except TransitionRefused as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Step done."))
    return redirect("campaigns:detail", campaign.code)


@changers_only
def campaign_compute_view(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Compute the results now; on a published campaign, say whether they reproduce it."""
    try:
        result = campaign_recompute(campaign=campaign, actor=_user(request))
    except (PlanError, ValueError) as exc:
        _refusal(request, exc)
    else:
        if result.matches is None:
            messages.success(
                request, _("Results computed (content hash %(h)s).") % {"h": result.digest[:16]}
            )
        elif result.matches:
            messages.success(
                request,
                _(
                    "Recomputed from the stored answers: the same content hash as the published snapshot (%(h)s)."
                )
                % {"h": result.digest[:16]},
            )
        elif result.method_changed:
            messages.warning(
                request,
                _(
                    "Recomputed from the stored answers: the content hash %(h)s differs from the published snapshot (%(p)s), which was computed with an earlier version of the method (%(old)s; now %(new)s). The difference may come from the method, not from the answers: see docs/intervals.md."
                )
                % {
                    "h": result.digest[:16],
                    "p": (result.published or "")[:16],
                    "old": result.published_method or "–",
                    "new": result.method,
                },
            )
        else:
            messages.warning(
                request,
                _(
                    "Recomputed from the stored answers: the content hash %(h)s differs from the published snapshot (%(p)s)."
                )
                % {"h": result.digest[:16], "p": (result.published or "")[:16]},
            )
    return redirect("campaigns:detail", campaign.code)


def _number(raw: str) -> int | None:
    raw = raw.strip().replace(".", "").replace(" ", "")
    return int(raw) if raw.isdigit() else None


def _plan_context(
    request: HttpRequest, campaign: Campaign, *, proposal: dict[int, int] | None = None
) -> dict[str, Any]:
    user = _user(request)
    rows = sorted(
        campaign_units(campaign=campaign, user=user), key=lambda cu: unit_name_key(cu.unit)
    )
    kinds = sorted({cu.unit.kind for cu in rows})
    quotas_now: dict[str, set[int]] = {}
    for cu in rows:
        quotas_now.setdefault(cu.unit.kind, set()).add(cu.quota)
    per_kind = [
        (
            k,
            UnitKind(k).label,
            next(iter(quotas_now[k])) if len(quotas_now[k]) == 1 and 0 not in quotas_now[k]
            else KIND_DEFAULTS.get(UnitKind(k), 100),
        )
        for k in kinds
    ]  # fmt: skip
    return {
        "campaign": campaign,
        "rows": [(cu, (proposal or {}).get(cu.unit_id)) for cu in rows],
        "proposal": proposal,
        "may_change": campaign_changeable(user=user, campaign=campaign)
        and campaign.status != Campaign.Status.PUBLISHED,
        "per_kind": per_kind,
        "planner": PlannerForm(request.GET if "de-xuat" in request.GET else None),
        "upload": UploadForm(),
        "totals": {
            "files": sum(cu.completed_files or 0 for cu in rows),
            "quota": sum(cu.quota for cu in rows),
            "proposal": sum((proposal or {}).values()),
            "answers": sum(cu.answers_so_far for cu in rows),  # type: ignore[attr-defined]
        },
    }


@require_safe
@readers_only
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """The plan table; with ``de-xuat`` the planner's proposal fills the quota column."""
    campaign = _campaign(request, code)
    proposal = None
    planner = PlannerForm(request.GET)
    if "de-xuat" in request.GET and planner.is_valid():
        try:
            planned = quotas_propose(campaign=campaign, **planner.cleaned_data)
        except PlanError as exc:
            _refusal(request, exc)
        else:
            proposal = {u.pk: n for u, n in planned.items()}
    return render(
        request, "campaigns/plan.html", _plan_context(request, campaign, proposal=proposal)
    )


@changers_only
def plan_save_view(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Save the table: typed files and quotas together, all or nothing."""
    rows = list(CampaignUnit.objects.filter(campaign=campaign).select_related("unit"))
    files: dict[Unit, int | None] = {}
    planned: dict[Unit, int] = {}
    bad: list[str] = []
    for cu in rows:
        raw_files = request.POST.get(f"files-{cu.pk}")
        raw_quota = request.POST.get(f"quota-{cu.pk}")
        if raw_files is not None:
            files[cu.unit] = _number(raw_files) if raw_files.strip() else None
            if raw_files.strip() and files[cu.unit] is None:
                bad.append(cu.unit.name)
        if raw_quota is not None:
            n = _number(raw_quota or "0")
            if n is None:
                bad.append(cu.unit.name)
            else:
                planned[cu.unit] = n
    if bad:
        listed = ", ".join(sorted(set(bad))[:10])
        messages.error(
            request,
            f"Phải là số nguyên không âm: {listed} / must be whole numbers ≥ 0: {listed}",
        )
        return redirect("campaigns:plan", campaign.code)
    try:
        plan_save(campaign=campaign, files=files, planned=planned, actor=_user(request))
    except PlanError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Completed files and quotas saved."))
    return redirect("campaigns:plan", campaign.code)


@changers_only
def plan_kinds(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """One quota per unit kind, the numbers as typed."""
    per_kind: dict[str, int] = {}
    for kind in UnitKind.values:
        raw = request.POST.get(f"kind-{kind}")
        if raw is None or not raw.strip():
            continue
        n = _number(raw)
        if n is None:
            messages.error(
                request,
                f"Chỉ tiêu '{raw}' phải là số nguyên không âm / quota '{raw}' must be a whole number ≥ 0",
            )
            return redirect("campaigns:plan", campaign.code)
        per_kind[kind] = n
    try:
        n = quotas_by_kind(campaign=campaign, per_kind=per_kind, actor=_user(request))
    except PlanError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Quotas set for %(n)s units.") % {"n": n})
    return redirect("campaigns:plan", campaign.code)


def _with_file(data: bytes, suffix: str, use: Callable[[Path], Any]) -> Any:
    """Run ``use`` on the bytes as a file whose name has the suffix the reader goes by."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"so-ho-so{suffix}"
        path.write_bytes(data)
        return use(path)


@changers_only
def plan_upload(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Check an uploaded volume file and show what it would store; nothing is written."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {**_plan_context(request, campaign), "upload": form}
        return render(request, "campaigns/plan.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    data = uploaded.read()
    suffix = Path(uploaded.name).suffix.lower()
    try:
        read = _with_file(data, suffix, lambda p: volumes_read(campaign=campaign, path=p))
        problems, totals = read.problems, read.totals()
    except ImportRejected as exc:
        problems, totals = exc.problems, []
    context = {
        "campaign": campaign,
        "problems": problems,
        "totals": totals,
        "digest": upload_keep(data=data),
        "suffix": suffix,
        "name": uploaded.name,
        "upload": form,
    }
    return render(request, "campaigns/upload.html", context, status=400 if problems else 200)


@changers_only
def plan_upload_commit(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Store the previewed file, read again from where the preview kept it: all rows or none."""
    data = upload_bytes(digest=request.POST.get("digest", ""))
    suffix = request.POST.get("suffix", "")
    if data is None or suffix not in (".csv", ".xlsx"):
        messages.error(
            request,
            "Không tìm thấy tệp đã xem trước; hãy tải lên lại / the previewed file is gone; upload it again",
        )
        return redirect("campaigns:plan", campaign.code)
    try:
        n = _with_file(
            data,
            suffix,
            lambda p: volumes_import(campaign=campaign, path=p, actor=_user(request)),
        )
    except (ImportRejected, PlanError) as exc:
        problems = (
            exc.problems if isinstance(exc, ImportRejected) else [Problem(0, "", str(exc), "")]
        )
        context = {"campaign": campaign, "problems": problems, "totals": [], "upload": UploadForm()}
        return render(request, "campaigns/upload.html", context, status=400)
    messages.success(request, _("Stored %(n)s rows of completed files.") % {"n": n})
    return redirect("campaigns:plan", campaign.code)
