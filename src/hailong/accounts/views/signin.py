"""Sign-in in two screens: the password, then (when set up or required) the authenticator.

Between the two, the session holds only "password accepted for user N at time T" for five
minutes; the sign-in itself (and the new session key) comes after the second step.
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ..forms import CodeForm, SignInForm
from ..lockout import attempt_record, lockout_until, request_address_hash
from ..middleware import ENDED, LAST_SEEN, SECOND_STEP, SIGNED_IN_AT
from ..models import User
from ..selectors import admin_allowed, totp_confirmed, totp_required, user_may_sign_in
from ..services import second_factor_check

PENDING = "hailong_password_ok"
PENDING_SECONDS = 300

WRONG = "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password"
LOCKED = (
    "Tạm khóa đăng nhập {minutes} phút do nhập sai nhiều lần / "
    "Sign-in paused for {minutes} minutes after repeated failures"
)
NO_ROLE = (
    "Tài khoản chưa được giao vai trò nào: hãy liên hệ điều phối viên / "
    "this account holds no role yet: ask a coordinator"
)
WRONG_CODE = "Mã xác thực không đúng hoặc đã dùng / the code is wrong or was already used"
ENDED_REASONS = {
    "idle": "Phiên làm việc đã kết thúc do không hoạt động / you were signed out after inactivity",
    "age": "Phiên làm việc đã quá thời gian tối đa / your sign-in reached its longest duration",
    "second_step": (
        "Vai trò của bạn nay cần xác thực hai bước: hãy đăng nhập lại / "
        "your role now requires two-step verification: sign in again"
    ),
}


def safe_next(request: HttpRequest, target: str) -> str:
    """``target`` when it is a path on this site; the staff home otherwise."""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return reverse("accounts:home")


def _minutes() -> int:
    from django.conf import settings

    return int(settings.HAILONG_LOCKOUT_MINUTES)


def sign_in_complete(
    request: HttpRequest, user: User, target: str, *, second_step: bool
) -> HttpResponse:
    """Sign in (a new session key), note the times the session limits read, go on."""
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = int(time.time())
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = now
    request.session[SECOND_STEP] = second_step
    attempt_record(username=user.username, address_hash=request_address_hash(request), ok=True)
    return HttpResponseRedirect(safe_next(request, target))


def pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """The user whose password was accepted less than five minutes ago, and where to go next."""
    pending: dict[str, Any] | None = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending["next"]) if user else None


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next", "")
    if request.user.is_authenticated:
        if request.GET.get("next"):
            messages.warning(
                request,
                "Tài khoản của bạn không mở được trang đó / your account cannot open that page",
            )
        return redirect("accounts:home")
    ended = request.session.pop(ENDED, "")
    form = SignInForm(request.POST or None, initial={"next": target})
    error = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = request_address_hash(request)
        if lockout_until(username=username, address_hash=address):
            error = LOCKED.format(minutes=_minutes())
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if not isinstance(user, User) or not user_may_sign_in(user=user):
                attempt_record(username=username, address_hash=address, ok=False)
                locked = lockout_until(username=username, address_hash=address)
                error = LOCKED.format(minutes=_minutes()) if locked else WRONG
                if isinstance(user, User) and not locked:
                    error = NO_ROLE
            elif totp_confirmed(user=user) or totp_required(user=user):
                request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": target}
                if totp_confirmed(user=user):
                    return redirect("accounts:second_step")
                return redirect("accounts:totp")
            else:
                return sign_in_complete(request, user, target, second_step=False)
    context = {"form": form, "error": error, "ended": ENDED_REASONS.get(ended, "")}
    return render(request, "accounts/sign_in.html", context, status=403 if error else 200)


@csrf_protect
@never_cache
def second_step(request: HttpRequest) -> HttpResponse:
    found = pending_user(request)
    if found is None:
        messages.warning(
            request,
            "Đã quá 5 phút sau khi nhập mật khẩu: hãy đăng nhập lại / "
            "more than 5 minutes passed since the password: sign in again",
        )
        return redirect("accounts:signin")
    user, target = found
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        address = request_address_hash(request)
        if lockout_until(username=user.username, address_hash=address):
            request.session.pop(PENDING, None)
            error = LOCKED.format(minutes=_minutes())
        elif second_factor_check(user=user, code=form.cleaned_data["code"]):
            return sign_in_complete(request, user, target, second_step=True)
        else:
            attempt_record(username=user.username, address_hash=address, ok=False)
            error = WRONG_CODE
    context = {"form": form, "error": error, "title": _("Two-step verification")}
    return render(request, "accounts/second_step.html", context, status=403 if error else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("accounts:signin")


def admin_permission(request: HttpRequest) -> bool:
    """The admin site's gate (``AdminSite.has_permission``): ``selectors.admin_allowed``."""
    user = request.user
    return user.is_authenticated and admin_allowed(user=cast(User, user))


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin's own login, replaced: every way in goes through /dang-nhap/ and its rules."""
    if request.user.is_authenticated:
        messages.warning(
            request,
            "Tài khoản của bạn không vào được trang quản trị / "
            "your account cannot open the administration",
        )
        return redirect("accounts:home")
    target = request.GET.get("next", "")
    url = reverse("accounts:signin")
    if target:
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": target})
    return HttpResponseRedirect(url)
