"""What every entry screen checks first: a signed-in user who holds an entry role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from hailong.accounts.models import User
from hailong.accounts.refusals import refused

from ..models import PaperBatch
from ..selectors import entry_units, may_change, may_read, read_units

View = Callable[..., HttpResponse]


def user_of(request: HttpRequest) -> User:
    return cast(User, request.user)


def entry_required(view: View) -> View:
    """Sign-in first (the admin login), then a role that reads batches (auditors included)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not read_units(user=user_of(request)).exists():
            return refused(
                request,
                "Tài khoản của bạn không có vai trò nhập liệu cho đơn vị nào",
                "your account holds no data-entry role for any unit",
            )
        return view(request, *args, **kwargs)

    return wrapped


def change_required(view: View) -> View:
    """Sign-in, then a clerk, manager or coordinator role: the screens that write."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not entry_units(user=user_of(request)).exists():
            return refused(
                request,
                "Tài khoản của bạn chỉ được xem, không được nhập hay sửa dữ liệu",
                "your account may read these screens but not enter or change anything",
            )
        return view(request, *args, **kwargs)

    return wrapped


def batch_for(request: HttpRequest, pk: int, *, change: bool = False) -> PaperBatch | HttpResponse:
    """The batch, or a 403 page when its unit is outside the units the user reads (or changes).

    The page does not name the batch's unit: numbering through the addresses must not tell
    another unit's staff which batches exist where.
    """
    batch = get_object_or_404(
        PaperBatch.objects.select_related("campaign__instrument", "unit"), pk=pk
    )
    allowed = may_change if change else may_read
    if not allowed(user=user_of(request), unit=batch.unit):
        return refused(
            request,
            "Lô này thuộc một đơn vị ngoài phạm vi của bạn",
            "this batch belongs to a unit outside the units you hold",
        )
    return batch
