"""Adding an authenticator app (/can-bo/xac-thuc-hai-buoc/), signed in or right after the password.

When the user's roles require a second step and they have no authenticator yet, the sign-in
sends them here before anything else; confirming the first code completes the sign-in.
"""

from __future__ import annotations

from typing import cast

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .. import totp
from ..forms import CodeForm, EnrolForm
from ..middleware import SECOND_STEP
from ..models import User
from ..selectors import totp_confirmed
from ..services import (
    ManageError,
    second_factor_check,
    totp_device_confirm,
    totp_device_remove,
    totp_device_start,
)
from .signin import pending_user, safe_next, sign_in_complete


def _qr_svg(uri: str) -> str:
    """The otpauth:// address as an inline SVG (no script, no request to anywhere)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return str(svg)


@csrf_protect
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    pending = None
    if request.user.is_authenticated:
        user = cast(User, request.user)
    else:
        pending = pending_user(request)
        if pending is None:
            return redirect("accounts:signin")
        user = pending[0]
    if totp_confirmed(user=user):
        return _status(request, user, pending is not None)
    device = totp_device_start(user=user)
    form = EnrolForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(device=device, code=form.cleaned_data["code"])
        except ManageError as refused:
            error = f"{refused.vi} / {refused.en}"
        else:
            target = "/can-bo/"
            if pending is not None:
                target = safe_next(request, pending[1])
                sign_in_complete(request, user, target, second_step=True)
            else:
                request.session[SECOND_STEP] = True
            response = render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": target}
            )
            response["Cache-Control"] = "no-store"
            return response
    uri = totp.otpauth_uri(device.secret, account=user.username)
    context = {
        "form": form,
        "error": error,
        "qr": _qr_svg(uri),
        "secret": totp.secret_grouped(device.secret),
        "pending": pending is not None,
    }
    return render(request, "accounts/enrol.html", context, status=400 if error else 200)


def _status(request: HttpRequest, user: User, pending: bool) -> HttpResponse:
    if pending:  # an authenticator exists: the second step is the way in
        return redirect("accounts:second_step")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        # A current code proves the phone is at hand, not just a forgotten open session.
        if second_factor_check(user=user, code=form.cleaned_data["code"]):
            totp_device_remove(actor=user, user=user)
            messages.success(request, "Đã gỡ ứng dụng xác thực / the authenticator was removed")
            return redirect("accounts:totp")
        error = "Mã xác thực không đúng hoặc đã dùng / the code is wrong or was already used"
    context = {"device": user.totp, "form": form, "error": error}
    return render(request, "accounts/enrol_done.html", context, status=400 if error else 200)
