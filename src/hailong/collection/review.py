"""The review queue: answers the integrity checks flagged wait here for a person's decision.

Coordinators (and administrators) decide; unit managers do not review their own unit's
answers, since the flags exist to catch a unit rating itself.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hailong.accounts.models import Role, User
from hailong.accounts.refusals import refused
from hailong.accounts.selectors import units_in_scope
from hailong.campaigns.models import Campaign
from hailong.units.models import Unit

from .integrity import FLAG_REASONS
from .models import Response
from .services import ReviewRefused, responses_review

REVIEWERS = (Role.ADMINISTRATOR, Role.COORDINATOR)
#: Who reads the queue: the reviewers and auditors, who read everything and decide nothing (#5).
READERS = (*REVIEWERS, Role.AUDITOR)
PAGE = 200


def units_may_read(*, user: User) -> QuerySet[Unit]:
    """Units whose flagged answers the user may see."""
    return units_in_scope(user=user, roles=READERS)


def units_may_change(*, user: User) -> QuerySet[Unit]:
    """Units whose flagged answers the user may accept or reject."""
    return units_in_scope(user=user, roles=REVIEWERS)


def _refused(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        "Chỉ điều phối viên và quản trị viên được xét duyệt các câu trả lời bị giữ lại"
        " (của các đơn vị họ phụ trách)",
        "only coordinators and administrators review flagged answers (of the units they hold)",
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    scope = units_may_read(user=user)
    if not scope.exists():
        return _refused(request)
    decides = units_may_change(user=user)
    if request.method == "POST":
        if not decides.exists():
            return _refused(request)
        scope = decides
        ids = [int(i) for i in request.POST.getlist("chon") if i.isdigit()]
        allowed = set(
            Response.objects.filter(pk__in=ids, unit__in=scope).values_list("pk", flat=True)
        )
        try:
            if set(ids) - allowed:
                raise ReviewRefused(
                    "có câu trả lời ngoài phạm vi của Ông/Bà",
                    "some answers are outside your units",
                )
            done = responses_review(
                actor=user,
                ids=ids,
                decision=request.POST.get("quyet_dinh", ""),
                reason=request.POST.get("ly_do", ""),
            )
        except ReviewRefused as exc:
            messages.error(request, exc.en if translation.get_language() == "en" else exc.vi)
        else:
            messages.success(request, _("%(n)s answers decided.") % {"n": len(done)})
        return redirect(request.get_full_path())
    flagged = (
        Response.objects.filter(review=Response.Review.FLAGGED, unit__in=scope)
        .select_related("unit", "campaign", "desk")
        .order_by("unit__name", "submitted_at")
    )
    campaign = Campaign.objects.filter(code=request.GET.get("dot", "")).first()
    if campaign is not None:
        flagged = flagged.filter(campaign=campaign)
    reason = request.GET.get("ly-do", "")
    if reason in FLAG_REASONS:  # the JSON text holds the code in quotes, on either database
        flagged = flagged.filter(flags__icontains=f'"{reason}"')
    total = flagged.count()
    language = "en" if (translation.get_language() or "vi").startswith("en") else "vi"
    rows = [
        {
            "response": r,
            "reasons": [
                FLAG_REASONS[f][1 if language == "en" else 0] for f in r.flags if f in FLAG_REASONS
            ],
        }
        for r in flagged[:PAGE]
    ]
    return render(
        request,
        "collection/review.html",
        {
            "rows": rows,
            "total": total,
            "page": PAGE,
            "campaigns": Campaign.objects.filter(response__review=Response.Review.FLAGGED)
            .distinct()
            .order_by("-year"),
            "campaign": campaign,
            "reasons": [(k, v[1 if language == "en" else 0]) for k, v in FLAG_REASONS.items()],
            "reason": reason,
            "read_only": not decides.exists(),
        },
    )
