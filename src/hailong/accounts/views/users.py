"""The coordinators' user screen (/can-bo/nguoi-dung/): friendlier than the admin, same rules.

Every change goes through a service in ``accounts.services``, which checks what the actor may
do; the screen only shows what it refused, in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hailong.units.models import Unit

from ..forms import RoleGrantForm, UserCreateForm
from ..models import Role, RoleAssignment, User
from ..refusals import refused
from ..selectors import (
    MANAGER_ROLES,
    units_in_scope,
    user_is_administrator,
    user_manageable,
    user_roles,
    users_managed,
)
from ..services import (
    ManageError,
    role_grant,
    role_remove,
    totp_device_remove,
    user_create,
    user_lock,
    user_password_reset,
    user_unlock,
)

View = Callable[..., HttpResponse]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def managers_only(view: View) -> View:
    """Signed in, and an administrator or coordinator; a 403 page that says why otherwise."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not set(MANAGER_ROLES) & user_roles(user=_actor(request)):
            return refused(
                request,
                "Chỉ quản trị hệ thống và điều phối viên quản lý người dùng",
                "only administrators and coordinators manage users",
            )
        return view(request, *args, **kwargs)

    return wrapped


def _units(actor: User) -> QuerySet[Unit]:
    return units_in_scope(user=actor, roles=MANAGER_ROLES).order_by("path")


def _unit_from(actor: User, text: str) -> Unit | None:
    """The unit named by ``code — name``, a code or an exact name; None when left empty."""
    text = text.strip()
    if not text:
        return None
    code = text.split(" — ", 1)[0].strip()
    unit = Unit.objects.filter(code=code).first() or Unit.objects.filter(name=text).first()
    if unit is None:
        raise ManageError(
            f"Không tìm thấy đơn vị “{text}”: hãy chọn trong danh sách",
            f"no unit “{text}”: pick one from the list",
            "unit",
        )
    return unit


def _offer_roles(form: RoleGrantForm, actor: User) -> None:
    """Coordinators cannot grant the administrator role, so it is not offered to them."""
    if not user_is_administrator(user=actor):
        field = cast(forms.ChoiceField, form.fields["role"])
        field.choices = [c for c in Role.choices if c[0] != Role.ADMINISTRATOR]


def _show_error(form: Any, refused: ManageError) -> None:
    form.add_error(refused.field if refused.field in form.fields else None, str(refused))


@managers_only
@never_cache
def users(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = users_managed(user=_actor(request), query=query)
    page = Paginator(found, 50).get_page(request.GET.get("trang"))
    return render(request, "accounts/users.html", {"page": page, "query": query})


@managers_only
@never_cache
def user_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UserCreateForm(request.POST or None)
    _offer_roles(form, actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = user_create(
                actor=actor,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"].strip(),
                role=data["role"],
                unit=_unit_from(actor, data["unit"]),
            )
        except ManageError as refused:
            _show_error(form, refused)
        else:
            return _password_page(request, user, password)
    context = {"form": form, "units": _units(actor)}
    return render(request, "accounts/user_new.html", context, status=400 if form.errors else 200)


def _password_page(request: HttpRequest, user: User, password: str) -> HttpResponse:
    response = render(
        request, "accounts/password_shown.html", {"shown": user, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


def _target(request: HttpRequest, pk: int) -> User:
    target = get_object_or_404(User, pk=pk)
    if not users_managed(user=_actor(request)).filter(pk=pk).exists():
        raise Http404("user outside the actor's units")  # as if it did not exist
    return target


@managers_only
@never_cache
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    target = _target(request, pk)
    form = RoleGrantForm(request.POST or None)
    _offer_roles(form, actor)
    if request.method == "POST" and form.is_valid():
        try:
            role_grant(
                actor=actor,
                user=target,
                role=form.cleaned_data["role"],
                unit=_unit_from(actor, form.cleaned_data["unit"]),
            )
        except ManageError as refused:
            _show_error(form, refused)
        else:
            messages.success(request, "Đã giao vai trò / the role was granted")
            return redirect("accounts:user", pk=target.pk)
    context = {
        "shown": target,
        "assignments": target.roles.select_related("unit").order_by("role"),
        "form": form,
        "units": _units(actor),
        "manageable": user_manageable(actor=actor, target=target),
        "has_totp": hasattr(target, "totp"),
    }
    return render(request, "accounts/user.html", context, status=400 if form.errors else 200)


@managers_only
@require_POST
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _actor(request)
    target = _target(request, pk)
    try:
        if action == "mat-khau":
            return _password_page(request, target, user_password_reset(actor=actor, user=target))
        if action == "khoa":
            user_lock(actor=actor, user=target)
            messages.success(request, "Đã khóa tài khoản / the account is locked")
        elif action == "mo-khoa":
            user_unlock(actor=actor, user=target)
            messages.success(request, "Đã mở khóa tài khoản / the account is unlocked")
        elif action == "xac-thuc":
            totp_device_remove(actor=actor, user=target)
            messages.success(
                request,
                "Đã gỡ ứng dụng xác thực; người dùng sẽ đăng ký lại / "
                "the authenticator was removed; the user will set one up again",
            )
        else:
            return HttpResponse(status=404)
    except ManageError as refused:
        messages.error(request, str(refused))
    return redirect("accounts:user", pk=target.pk)


@managers_only
@require_POST
def role_delete(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    target = _target(request, pk)
    found = get_object_or_404(
        RoleAssignment.objects.select_related("unit", "user"), pk=assignment, user=target
    )
    try:
        role_remove(actor=_actor(request), assignment=found)
    except ManageError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Đã bỏ vai trò / the role was removed")
    return redirect("accounts:user", pk=target.pk)
