"""The staff home (/can-bo/): the screens the user's roles open, nothing more."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..models import Role, User
from ..selectors import MANAGER_ROLES, admin_allowed, totp_confirmed, user_roles

ALL = tuple(Role.values)


def screens(*, user: User) -> list[tuple[str, str, str]]:
    """(title, address, what it is for) of every screen the user's roles open."""
    from hailong.campaigns.models import Campaign
    from hailong.campaigns.selectors import READ_ROLES as CAMPAIGN_ROLES
    from hailong.cases.selectors import READERS as CASE_READERS
    from hailong.collection.review import READERS as REVIEW_READERS
    from hailong.dashboards.access import DASHBOARD_ROLES
    from hailong.entry.selectors import READ_ROLES as ENTRY_ROLES
    from hailong.invitations.views import ROLES as INVITATION_ROLES
    from hailong.progress.selectors import BOARD_ROLES
    from hailong.qrcodes.selectors import PRINT_ROLES
    from hailong.reports.selectors import REPORT_ROLES
    from hailong.topics.selectors import READERS as COMMENT_READERS

    roles = user_roles(user=user)
    found: list[tuple[str, str, str]] = []
    if roles & set(CAMPAIGN_ROLES):
        found.append(
            (
                _("Survey campaigns"),
                reverse("campaigns:list"),
                _("Plans, quotas, channels and dates; open, close and publish"),
            )
        )
    if roles & set(ENTRY_ROLES):
        found.append(
            (_("Paper forms"), reverse("entry:index"), _("Type paper batches, import answer files"))
        )
    if roles & set(INVITATION_ROLES):
        found.append(
            (
                _("Invitation codes"),
                reverse("invitations:list"),
                _("Create codes for completed files"),
            )
        )
    if roles & set(REVIEW_READERS) or user.is_superuser:
        found.append(
            (
                _("Answers waiting for review"),
                reverse("review_queue"),
                _("Accept or reject the answers the integrity checks held back"),
            )
        )
    if roles & set(CASE_READERS):
        found.append(
            (
                _("Complaints and suggestions"),
                reverse("cases:staff_list"),
                _("Answer the cases sent to your units, on time"),
            )
        )
    if roles & set(BOARD_ROLES) or user.is_superuser:
        for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN).order_by(
            "-year", "code"
        ):
            found.append(
                (
                    _("Progress: %(name)s") % {"name": campaign.name},
                    reverse("progress:board", args=[campaign.code]),
                    _("Answers against quota, per channel and per day, and what looks wrong"),
                )
            )
    if roles & set(COMMENT_READERS) or user.is_superuser:
        found.append(
            (
                _("What people wrote"),
                reverse("topics:index"),
                _("Comments by factor and tone, examples, search within your units"),
            )
        )
    if roles & set(DASHBOARD_ROLES):
        found.append(
            (
                _("Dashboards"),
                reverse("dashboards:chooser"),
                _("Indices, rankings, unit scorecards and drill-downs, with downloads"),
            )
        )
    if roles & set(PRINT_ROLES):
        found.append((_("QR codes"), reverse("qrcodes:units"), _("Print posters and slips")))
    if roles or user.is_superuser:
        found.append(
            (
                _("Unit directory"),
                reverse("units:tree"),
                _("Units, desks, kiosks and procedures; merges and splits"),
            )
        )
    if roles & set(REPORT_ROLES) or user.is_superuser:
        found.append(
            (
                _("Reports and documents"),
                reverse("reports:index"),
                _("The official report, scorecards and workbooks, made in the background"),
            )
        )
    if roles & set(MANAGER_ROLES):
        found.append(
            (_("Users"), reverse("accounts:users"), _("Create users, grant roles, reset passwords"))
        )
    if admin_allowed(user=user):
        found.append(
            (_("Administration"), reverse("admin:index"), _("Every record, for administrators"))
        )
    found.append(
        (
            _("Two-step verification"),
            reverse("accounts:totp"),
            _("An authenticator app for signing in"),
        )
    )
    return found


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "screens": screens(user=user),
        "roles": sorted(str(Role(r).label) for r in user_roles(user=user) if r in ALL),
        "totp_on": totp_confirmed(user=user),
    }
    return render(request, "accounts/home.html", context)
