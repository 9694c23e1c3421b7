"""The auditors' screen: search the log, export what was found, check the chain."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from hailong.accounts.models import User
from hailong.accounts.refusals import refused
from hailong.core.downloads import attachment

from .export import export_csv
from .forms import SearchForm
from .models import AuditEntry
from .selectors import audit_verify, entries_search, entries_visible, sees_all

View = Callable[..., HttpResponse | StreamingHttpResponse]
PAGE_SIZE = 50


def auditor_required(view: View) -> View:
    """Sign-in first, then a role that may read the log; the view gets the visible entries."""

    @login_required
    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        entries = entries_visible(user=cast(User, request.user))
        if entries is None:
            return refused(
                request,
                "Tài khoản của bạn không có vai trò được xem nhật ký kiểm toán",
                "your account holds no role that may read the audit log",
            )
        return view(request, entries, *args, **kwargs)

    return wrapped


def _found(request: HttpRequest, entries: QuerySet[AuditEntry]) -> tuple[SearchForm, Any]:
    form = SearchForm(request.GET or None, entries=entries)
    return form, entries_search(entries.select_related("unit"), **form.filters())


def _page(request: HttpRequest, entries: QuerySet[AuditEntry], **extra: Any) -> HttpResponse:
    form, found = _found(request, entries)
    page = Paginator(found.order_by("-seq"), PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_verify": sees_all(user=cast(User, request.user)),
        **extra,
    }
    return render(request, "audit/index.html", context)


@require_safe
@auditor_required
def index(request: HttpRequest, entries: QuerySet[AuditEntry]) -> HttpResponse:
    return _page(request, entries)


@require_POST
@auditor_required
def verify(request: HttpRequest, entries: QuerySet[AuditEntry]) -> HttpResponse:
    if not sees_all(user=cast(User, request.user)):
        return refused(
            request,
            "Chỉ người đọc được toàn bộ nhật ký (kiểm toán viên, quản trị viên, điều phối viên "
            "toàn tỉnh) được kiểm tra toàn bộ chuỗi",
            "only those who read the whole log (auditors, administrators and coordinators of "
            "the whole province) may check the whole chain",
        )
    return _page(request, entries, report=audit_verify())


@require_safe
@auditor_required
def export(request: HttpRequest, entries: QuerySet[AuditEntry]) -> StreamingHttpResponse:
    _, found = _found(request, entries)
    rows = export_csv(found.order_by("seq").iterator(chunk_size=2000))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment(response, f"nhat-ky-{stamp}.csv")
