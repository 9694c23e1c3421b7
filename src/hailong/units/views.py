"""The unit directory for staff (/can-bo/don-vi/, /can-bo/thu-tuc/): tree, unit pages, changes.

Everyone with a role reads the units in their scope (a unit outside it is a 404, as if it did
not exist); administrators and coordinators edit, merge, split and import; unit managers also
keep their desks and kiosks. Every change goes through ``units.services`` (audited).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hailong.accounts.models import Role, User
from hailong.accounts.refusals import refused
from hailong.accounts.selectors import units_in_scope
from hailong.core.imports import ImportRejected, read_rows
from hailong.core.text import strip_diacritics
from hailong.kiosks.models import Kiosk
from hailong.kiosks.services import kiosk_create, kiosk_revoke

from .models import Desk, Service, Unit, UnitKind
from .selectors import Node, unit_tree, units_by_name
from .services import (
    DeskRefused,
    UnitChangeRefused,
    desk_create,
    desk_update,
    services_import,
    unit_split,
    unit_update,
    units_import,
    units_merge,
)

READERS: tuple[str, ...] = tuple(Role.values)
EDITORS: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR)
DESK_ROLES: tuple[str, ...] = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.UNIT_MANAGER)

View = Callable[..., HttpResponse]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(request: HttpRequest) -> HttpResponse:
    return refused(
        request,
        "Chỉ quản trị hệ thống và điều phối viên thay đổi danh mục đơn vị",
        "only administrators and coordinators change the unit directory",
    )


def _scoped(request: HttpRequest, code: str, roles: tuple[str, ...]) -> Unit:
    """The unit if ``roles`` of the user cover it; otherwise 404, whether it exists or not."""
    unit = units_in_scope(user=_user(request), roles=roles).filter(code=code).first()
    if unit is None:
        raise Http404("no such unit in the user's scope")
    return unit


def _may(request: HttpRequest, unit: Unit, roles: tuple[str, ...]) -> bool:
    return units_in_scope(user=_user(request), roles=roles).filter(pk=unit.pk).exists()


def _editors_only(request: HttpRequest) -> QuerySet[Unit] | None:
    units = units_in_scope(user=_user(request), roles=EDITORS)
    return units if units.exists() else None


def _keep(node: Node, words: str, shown: set[int]) -> bool:
    """Whether the node or one below it matches; matching subtrees are remembered open."""
    below = [child for child in node.children if _keep(child, words, shown)]
    node.children = below
    text = strip_diacritics(f"{node.unit.code} {node.unit.name}").casefold()
    if below:
        shown.add(node.unit.pk)
    return bool(below) or words in text


@login_required
@require_safe
def tree(request: HttpRequest) -> HttpResponse:
    scope = units_in_scope(user=_user(request))
    if not scope.exists():
        raise Http404("no units in scope")
    query = request.GET.get("q", "").strip()
    inside = _ids(scope)
    roots = [u for u in scope.filter(valid_to__isnull=True) if u.parent_id not in inside]
    forest: list[Node] = []
    for root in sorted(roots, key=lambda u: u.path):
        forest.extend(unit_tree(root=root))
    opened: set[int] = set()
    if query:
        words = strip_diacritics(query).casefold()
        forest = [node for node in forest if _keep(node, words, opened)]
    retired = scope.filter(valid_to__isnull=False).order_by("-valid_to", "name")[:50]
    context = {
        "forest": forest,
        "query": query,
        "opened": opened,
        "retired": retired,
        "editor": _editors_only(request) is not None,
    }
    return render(request, "units/tree.html", context)


def _ids(units: QuerySet[Unit]) -> set[int]:
    return set(units.values_list("pk", flat=True))


@login_required
@require_safe
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_page(request, _scoped(request, code, READERS))


def _unit_page(request: HttpRequest, unit: Unit, status: int = 200, **extra: Any) -> HttpResponse:
    from hailong.qrcodes.selectors import PRINT_ROLES

    context = {
        "unit": unit,
        "children": units_by_name(unit.children.all()),
        "desks": unit.desks.all(),
        "kiosks": Kiosk.objects.filter(unit=unit).select_related("desk"),
        "services": unit.services.order_by("field", "name"),
        "editor": _may(request, unit, EDITORS),
        "desk_keeper": _may(request, unit, DESK_ROLES),
        "printable": _may(request, unit, PRINT_ROLES) and unit.valid_to is None,
        "successors": _successors(unit),
        "desk_typed": {},
        "desk_problems": {},
        **extra,
    }
    return render(request, "units/unit.html", context, status=status)


def _successors(unit: Unit) -> list[Unit]:
    """Units that started the day after this one ended, under the same parent (merge or split)."""
    if unit.valid_to is None:
        return []
    start = unit.valid_to + dt.timedelta(days=1)
    return list(Unit.objects.filter(valid_from=start, parent_id=unit.parent_id).exclude(pk=unit.pk))


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "name_en", "kind", "parent", "valid_from", "address", "phone", "email"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = _scoped(request, code, READERS)
    if not _may(request, unit, EDITORS):
        return _refused(request)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    scope = units_in_scope(user=_user(request), roles=EDITORS).filter(valid_to__isnull=True)
    form.fields["parent"].queryset = scope  # type: ignore[attr-defined]
    if not _parent_ok(request, unit.parent):
        # the top of their scope stays where it is
        form.fields["parent"].disabled = True
        form.fields["parent"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            pk=unit.parent.pk if unit.parent else 0
        )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            unit_update(actor=_user(request), unit=unit, values=form.cleaned_data)
        except UnitChangeRefused as exc:
            error = str(exc)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("units:unit", code=unit.code)
    return render(request, "units/edit.html", {"unit": unit, "form": form, "error": error})


def _parent_ok(request: HttpRequest, parent: Unit | None) -> bool:
    """Whether the user may place units under ``parent`` (None: the top of the tree)."""
    user = _user(request)
    if parent is None:
        return user.is_superuser or user.roles.filter(role__in=EDITORS, unit__isnull=True).exists()
    return units_in_scope(user=user, roles=EDITORS).filter(pk=parent.pk).exists()


OUTSIDE = (
    "Đơn vị mới sẽ nằm dưới một đơn vị ngoài phạm vi của bạn"
    " / the new units would sit under a unit outside your scope"
)


class MergeForm(forms.Form):
    units = forms.CharField(
        label=gettext_lazy("Codes of the units to merge"),
        help_text=gettext_lazy("One code per line or separated by commas"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    into = forms.CharField(
        label=gettext_lazy("Code of an existing unit that receives them"),
        help_text=gettext_lazy("Leave empty to create a new unit below"),
        required=False,
    )
    new_code = forms.CharField(label=gettext_lazy("New unit: code"), required=False, max_length=32)
    new_name = forms.CharField(label=gettext_lazy("New unit: name"), required=False, max_length=200)
    new_kind = forms.ChoiceField(
        label=gettext_lazy("New unit: kind"), choices=UnitKind.choices, required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (e.g. the resolution's number)"), max_length=500
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest) -> HttpResponse:
    scope = _editors_only(request)
    if scope is None:
        return _refused(request)
    form = MergeForm(request.POST or None, initial={"units": request.GET.get("don-vi", "")})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = [c.strip() for c in data["units"].replace(",", "\n").splitlines() if c.strip()]
        found = {u.code: u for u in scope.filter(code__in=codes)}
        into = scope.filter(code=data["into"].strip()).first() if data["into"].strip() else None
        missing = [c for c in codes if c not in found]
        if missing:
            error = (
                f"Không có đơn vị mã {', '.join(missing)} trong phạm vi của bạn"
                f" / no unit {', '.join(missing)} in your scope"
            )
        elif data["into"].strip() and into is None:
            error = f"Không có đơn vị nhận mã {data['into']} / no receiving unit {data['into']}"
        elif into is None and codes and not _parent_ok(request, found[codes[0]].parent):
            error = OUTSIDE
        else:
            try:
                target = units_merge(
                    actor=_user(request), units=list(found.values()),
                    valid_from=data["valid_from"], into=into, reason=data["reason"],
                    new={"code": data["new_code"].strip(), "name": data["new_name"].strip(),
                         "kind": data["new_kind"]},
                )  # fmt: skip
            except UnitChangeRefused as exc:
                error = str(exc)
            else:
                messages.success(request, _("The units were merged."))
                return redirect("units:unit", code=target.code)
    return render(request, "units/merge.html", {"form": form, "error": error})


class SplitForm(forms.Form):
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    parts = forms.CharField(
        label=gettext_lazy("New units, one per line: code; name; kind"),
        help_text=gettext_lazy("Kinds: commune, ward, special_zone, department, service_centre"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (e.g. the resolution's number)"), max_length=500
    )

    def clean_parts(self) -> list[dict[str, str]]:
        parts = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split(";")]
            if len(cells) != 3 or cells[2] not in UnitKind.values:
                raise forms.ValidationError(
                    f"Dòng {number}: cần 'mã; tên; loại' với loại hợp lệ"
                    f" / line {number}: write 'code; name; kind' with a valid kind"
                )
            parts.append({"code": cells[0], "name": cells[1], "kind": cells[2]})
        return parts


@login_required
@require_http_methods(["GET", "POST"])
def split(request: HttpRequest, code: str) -> HttpResponse:
    unit = _scoped(request, code, READERS)
    if not _may(request, unit, EDITORS):
        return _refused(request)
    form = SplitForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid() and not _parent_ok(request, unit.parent):
        error = OUTSIDE
    elif request.method == "POST" and form.is_valid():
        try:
            unit_split(
                actor=_user(request), unit=unit, valid_from=form.cleaned_data["valid_from"],
                parts=form.cleaned_data["parts"], reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except UnitChangeRefused as exc:
            error = str(exc)
        else:
            messages.success(request, _("The unit was split."))
            return redirect("units:unit", code=unit.code)
    return render(request, "units/split.html", {"unit": unit, "form": form, "error": error})


@login_required
@require_POST
def desk_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = _scoped(request, code, DESK_ROLES)
    typed = {"code": request.POST.get("code", "")[:200], "name": request.POST.get("name", "")[:400]}
    try:
        desk_create(actor=_user(request), unit=unit, code=typed["code"], name=typed["name"])
    except DeskRefused as exc:  # shown beside its fields, with what was typed
        return _unit_page(request, unit, 400, desk_typed=typed, desk_problems=exc.problems)
    messages.success(request, _("The desk was added."))
    return redirect("units:unit", code=unit.code)


@login_required
@require_POST
def desk_change(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = _scoped(request, code, DESK_ROLES)
    desk = get_object_or_404(Desk, pk=pk, unit=unit)
    name = request.POST.get("name", "").strip() or None
    active = {"1": True, "0": False}.get(request.POST.get("active", ""))
    try:
        desk_update(actor=_user(request), desk=desk, name=name, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The desk was saved."))
    return redirect("units:unit", code=unit.code)


@login_required
@require_POST
def kiosk_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = _scoped(request, code, DESK_ROLES)
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, "Cần tên ki-ốt / the kiosk needs a name")
        return redirect("units:unit", code=unit.code)
    chosen = request.POST.get("desk", "")
    desk = unit.desks.filter(pk=int(chosen), active=True).first() if chosen.isdigit() else None
    kiosk, secret = kiosk_create(actor=_user(request), unit=unit, name=name, desk=desk)
    link = request.build_absolute_uri(f"/kiosk/dang-ky/{secret}/")
    return render(request, "units/kiosk_link.html", {"unit": unit, "kiosk": kiosk, "link": link})


@login_required
@require_POST
def kiosk_stop(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = _scoped(request, code, DESK_ROLES)
    kiosk = get_object_or_404(Kiosk, pk=pk, unit=unit, active=True)
    kiosk_revoke(actor=_user(request), kiosk=kiosk, reason=request.POST.get("reason", ""))
    messages.success(request, _("The kiosk was revoked."))
    return redirect("units:unit", code=unit.code)


def _upload(request: HttpRequest, run: Callable[[Path], int]) -> dict[str, Any]:
    """Check the uploaded file (nothing kept) or import it whole; problems by row and column."""
    upload = request.FILES.get("file")
    if upload is None:
        return {"error": "Chọn một tệp / choose a file"}
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx", ".yaml", ".yml"):
        return {"error": "Tệp phải là CSV, XLSX hay YAML / the file must be CSV, XLSX or YAML"}
    commit = request.POST.get("action") == "commit"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(upload.read())
        try:
            with transaction.atomic():
                rows = read_rows(path, ())
                count = run(path)
                if not commit:
                    transaction.set_rollback(True)
        except ImportRejected as exc:
            return {"problems": exc.problems, "name": upload.name}
    return {"rows": rows[:200], "count": count, "committed": commit, "name": upload.name}


@login_required
@require_http_methods(["GET", "POST"])
def units_upload(request: HttpRequest) -> HttpResponse:
    scope = _editors_only(request)
    if scope is None:
        return _refused(request)
    parents = scope.filter(valid_to__isnull=True).order_by("path")
    result: dict[str, Any] = {}
    if request.method == "POST":
        parent = parents.filter(code=request.POST.get("parent", "")).first()
        if parent is None:
            result = {"error": "Chọn đơn vị cấp trên / choose the parent unit"}
        else:
            actor = _user(request)
            result = _upload(request, lambda p: units_import(path=p, parent=parent, actor=actor))
    context = {"parents": units_by_name(parents)[:500], "result": result, "what": "units"}
    return render(request, "units/upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def services_upload(request: HttpRequest) -> HttpResponse:
    if (
        _editors_only(request) is None
        or not units_in_scope(user=_user(request), roles=EDITORS)
        .filter(parent__isnull=True)
        .exists()
    ):
        # procedures are province-wide: only whole-province editors import them
        return _refused(request)
    result: dict[str, Any] = {}
    if request.method == "POST":
        actor = _user(request)
        result = _upload(request, lambda p: services_import(path=p, actor=actor))
    return render(request, "units/upload.html", {"result": result, "what": "services"})


@login_required
@require_safe
def services(request: HttpRequest) -> HttpResponse:
    if not units_in_scope(user=_user(request)).exists():
        raise Http404("no units in scope")
    query = request.GET.get("q", "").strip()
    field = request.GET.get("linh-vuc", "")
    level = request.GET.get("cap", "")
    found = Service.objects.order_by("field", "name")
    if field:
        found = found.filter(field=field)
    if level:
        found = found.filter(level=level)
    rows = list(found)
    if query:
        words = strip_diacritics(query).casefold()
        rows = [s for s in rows if words in strip_diacritics(f"{s.code} {s.name}").casefold()]
    context = {
        "rows": rows[:500],
        "total": len(rows),
        "query": query,
        "field": field,
        "level": level,
        "fields": Service.objects.order_by("field").values_list("field", flat=True).distinct(),
        "levels": Service.Level.choices,
        "editor": _editors_only(request) is not None,
    }
    return render(request, "units/services.html", context)
