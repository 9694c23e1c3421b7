"""Writing units and procedures: the province from the national list, and file imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from hailong.accounts.models import User
from hailong.audit.services import audit_record
from hailong.core.imports import ImportRejected, Problem, read_rows, text
from hailong.core.text import strip_diacritics

from .models import Desk, Service, Unit, UnitKind

WARD_KINDS = {
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}
FILE_KINDS = {
    UnitKind.DEPARTMENT,
    UnitKind.SERVICE_CENTRE,
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
    UnitKind.WARD,
}
EFFECTIVE_2025 = dt.date(2025, 7, 1)


@transaction.atomic
def province_load(*, province_code: int) -> Unit:
    """Create or refresh a province and its communes and wards from `vietnam-provinces`."""
    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError as exc:
        raise ValueError(
            f"Mã tỉnh {province_code} không có / unknown province code {province_code}"
        ) from exc
    root, _ = Unit.objects.update_or_create(
        code=str(int(province.code)),
        defaults={
            "name": f"Tỉnh {province.name}",
            "name_en": f"{province.name} province",
            "kind": UnitKind.PROVINCE,
        },
    )
    wards = sorted(
        (w for w in Ward.iter_all() if w.province_code == province.code), key=lambda w: w.name
    )
    for ward in wards:
        Unit.objects.update_or_create(
            code=str(int(ward.code)),
            defaults={
                "name": ward.name,
                "kind": WARD_KINDS[ward.division_type],
                "parent": root,
                "valid_from": EFFECTIVE_2025,
            },
        )
    return root


def units_import(*, path: Path, parent: Unit, actor: User | None = None) -> int:
    """Import units (code, name, kind, …) from a CSV or YAML file under ``parent``; all or nothing."""
    rows = read_rows(path, ("code", "name", "kind"))
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    clean: list[dict[str, object]] = []
    for row_no, row in rows:
        code, name, kind = text(row.get("code")), text(row.get("name")), text(row.get("kind"))
        if not code:
            problems.append(Problem(row_no, "code", "mã đơn vị trống", "the unit code is empty"))
        elif len(code) > 32:
            problems.append(
                Problem(
                    row_no, "code", "mã dài quá 32 ký tự", "the code is longer than 32 characters"
                )
            )
        elif code in seen:
            problems.append(
                Problem(
                    row_no,
                    "code",
                    f"mã '{code}' đã có ở dòng {seen[code]}",
                    f"code '{code}' already on row {seen[code]}",
                )
            )
        else:
            seen[code] = row_no
        if not name:
            problems.append(Problem(row_no, "name", "tên đơn vị trống", "the unit name is empty"))
        elif len(name) > 200:
            problems.append(
                Problem(
                    row_no,
                    "name",
                    "tên dài quá 200 ký tự",
                    "the name is longer than 200 characters",
                )
            )
        if kind not in FILE_KINDS:
            allowed = ", ".join(sorted(FILE_KINDS))
            problems.append(
                Problem(
                    row_no,
                    "kind",
                    f"loại '{kind}' không hợp lệ (chọn: {allowed})",
                    f"kind '{kind}' is not valid (choose: {allowed})",
                )
            )
        email = text(row.get("email"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    Problem(
                        row_no,
                        "email",
                        f"e-mail '{email}' không hợp lệ",
                        f"e-mail '{email}' is not valid",
                    )
                )
        clean.append(
            {
                "code": code,
                "name": name,
                "name_en": text(row.get("name_en")),
                "kind": kind,
                "address": text(row.get("address")),
                "phone": text(row.get("phone")),
                "email": email,
            }
        )
    if problems:
        raise ImportRejected(str(path), problems)
    with transaction.atomic():
        for values in clean:
            code = str(values["code"])
            values = {k: v for k, v in values.items() if k != "code"}
            Unit.objects.update_or_create(code=code, defaults={**values, "parent": parent})
        audit_record(
            action="unit.import",
            actor=actor,
            unit=parent,
            data={"file": path.name, "codes": [str(v["code"]) for v in clean]},
        )
    return len(clean)


def services_import(*, path: Path, actor: User | None = None) -> int:
    """Import procedures (code, name, field, level, unit_kinds) and who delivers them; all or nothing.

    ``unit_kinds`` lists unit kinds (``commune|ward``) or unit codes (``SXD|TTPVHCC``)
    separated by ``|``.
    """
    rows = read_rows(path, ("code", "name", "field", "level", "unit_kinds"))
    kinds = set(UnitKind.values)
    codes = set(Unit.objects.values_list("code", flat=True))
    levels = set(Service.Level.values)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    clean: list[tuple[dict[str, str], list[str]]] = []
    for row_no, row in rows:
        values = {k: text(row.get(k)) for k in ("code", "name", "field", "level")}
        for column in ("code", "name", "field"):
            if not values[column]:
                problems.append(Problem(row_no, column, "ô trống", "the cell is empty"))
        if values["code"] in seen:
            problems.append(
                Problem(
                    row_no,
                    "code",
                    f"mã '{values['code']}' đã có ở dòng {seen[values['code']]}",
                    f"code '{values['code']}' already on row {seen[values['code']]}",
                )
            )
        seen.setdefault(values["code"], row_no)
        if values["level"] not in levels:
            problems.append(
                Problem(
                    row_no,
                    "level",
                    f"cấp '{values['level']}' không hợp lệ (chọn: {', '.join(sorted(levels))})",
                    f"level '{values['level']}' is not valid (choose: {', '.join(sorted(levels))})",
                )
            )
        targets = [t.strip() for t in text(row.get("unit_kinds")).split("|") if t.strip()]
        if not targets:
            problems.append(
                Problem(
                    row_no, "unit_kinds", "chưa nêu đơn vị thực hiện", "no delivering unit is named"
                )
            )
        for target in targets:
            if target not in kinds and target not in codes:
                problems.append(
                    Problem(
                        row_no,
                        "unit_kinds",
                        f"'{target}' không phải loại hay mã đơn vị đã có",
                        f"'{target}' is neither a unit kind nor a known unit code",
                    )
                )
        clean.append((values, targets))
    if problems:
        raise ImportRejected(str(path), problems)
    with transaction.atomic():
        for values, targets in clean:
            service, _ = Service.objects.update_or_create(
                code=values["code"], defaults={k: v for k, v in values.items() if k != "code"}
            )
            units = Unit.objects.filter(
                kind__in=[t for t in targets if t in kinds]
            ) | Unit.objects.filter(code__in=[t for t in targets if t in codes])
            service.units.set(units.filter(valid_to__isnull=True))
        audit_record(
            action="service.import",
            actor=actor,
            data={"file": path.name, "codes": [v["code"] for v, _ in clean]},
        )
    return len(clean)


class UnitChangeRefused(ValueError):
    """A merge, split or edit that would break the record; the message is Vietnamese / English."""


def _answer_dates_check(*, units: list[Unit], valid_from: dt.date) -> None:
    """Refuse to retire a unit before one of its answers: every answer keeps a unit valid on its date."""
    from django.db.models import Max

    from hailong.collection.models import Response

    last = Response.objects.filter(unit__in=units).aggregate(last=Max("submitted_at"))["last"]
    if last is not None:
        last_day = timezone.localdate(last)
        if last_day >= valid_from:
            raise UnitChangeRefused(
                f"Đơn vị đã có câu trả lời ngày {last_day:%d/%m/%Y}: ngày hiệu lực phải sau ngày đó"
                f" / the unit has answers on {last_day:%d/%m/%Y}: the date must come after it"
            )
    for unit in units:
        if unit.valid_to is not None:
            raise UnitChangeRefused(
                f"Đơn vị {unit.code} đã hết hiệu lực từ {unit.valid_to:%d/%m/%Y}"
                f" / unit {unit.code} already ended on {unit.valid_to:%d/%m/%Y}"
            )
        if unit.valid_from is not None and unit.valid_from >= valid_from:
            raise UnitChangeRefused(
                f"Đơn vị {unit.code} có hiệu lực từ {unit.valid_from:%d/%m/%Y}: ngày mới phải sau đó"
                f" / unit {unit.code} is valid from {unit.valid_from:%d/%m/%Y}: the date must be later"
            )


def _devices_stop(*, units: list[Unit], valid_from: dt.date) -> list[str]:
    """Stop the kiosks of units that have ended by today, so no answer reaches them afterwards.

    A merge dated in the future leaves them running until then; revoke them on the unit page.
    """
    from hailong.kiosks.models import Kiosk

    if valid_from > timezone.localdate():
        return []
    kiosks = Kiosk.objects.filter(unit__in=units, active=True)
    names = [str(k) for k in kiosks]
    kiosks.update(active=False, registration_hash="")
    return names


def _new_unit(*, values: dict[str, str], parent: Unit | None, valid_from: dt.date) -> Unit:
    code, name, kind = values.get("code", ""), values.get("name", ""), values.get("kind", "")
    if not code or not name or kind not in UnitKind.values:
        raise UnitChangeRefused(
            "Đơn vị mới cần mã, tên và loại hợp lệ / a new unit needs a code, a name and a valid kind"
        )
    if Unit.objects.filter(code=code).exists():
        raise UnitChangeRefused(f"Mã {code} đã có / code {code} already exists")
    return Unit.objects.create(
        code=code, name=name, kind=kind, parent=parent, valid_from=valid_from
    )


@transaction.atomic
def units_merge(
    *,
    actor: User | None,
    units: list[Unit],
    valid_from: dt.date,
    into: Unit | None = None,
    new: dict[str, str] | None = None,
    reason: str = "",
) -> Unit:
    """Merge ``units`` into ``into`` or a new unit from ``valid_from``; nothing is deleted.

    The merged units end the day before (``valid_to``); their answers keep pointing at them,
    so old results stay as they were. Their current sub-units and procedures pass to the
    merged unit.
    """
    sources = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in units]))
    if len(sources) < 1 or (into is None and len(sources) < 2):
        raise UnitChangeRefused(
            "Chọn ít nhất hai đơn vị để hợp nhất / choose at least two units to merge"
        )
    if into is not None and into.pk in {u.pk for u in sources}:
        raise UnitChangeRefused(
            "Đơn vị nhận không được nằm trong các đơn vị bị hợp nhất"
            " / the receiving unit cannot be one of the merged units"
        )
    if into is not None and (
        into.valid_to is not None or (into.valid_from and into.valid_from > valid_from)
    ):
        raise UnitChangeRefused(
            "Đơn vị nhận không còn hiệu lực vào ngày đó / the receiving unit is not valid on that date"
        )
    _answer_dates_check(units=sources, valid_from=valid_from)
    source_paths = [u.path for u in sources]
    if into is None:
        target = _new_unit(values=new or {}, parent=sources[0].parent, valid_from=valid_from)
    else:
        target = into
        if any(target.path.startswith(p) for p in source_paths):
            raise UnitChangeRefused(
                "Đơn vị nhận nằm dưới một đơn vị bị hợp nhất"
                " / the receiving unit lies under one of the merged units"
            )
    end = valid_from - dt.timedelta(days=1)
    for unit in sources:
        for child in unit.children.filter(valid_to__isnull=True):
            child.parent = target
            child.save()
        target.services.add(*unit.services.all())
        unit.valid_to = end
        unit.save(update_fields=["valid_to"])
    stopped = _devices_stop(units=sources, valid_from=valid_from)
    audit_record(
        action="unit.merge",
        actor=actor,
        obj=target,
        unit=target,
        reason=reason,
        data={
            "merged": [u.code for u in sources],
            "into": target.code,
            "new": into is None,
            "valid_from": valid_from.isoformat(),
            "kiosks_stopped": stopped,
        },
    )
    return target


@transaction.atomic
def unit_split(
    *,
    actor: User | None,
    unit: Unit,
    valid_from: dt.date,
    parts: list[dict[str, str]],
    reason: str = "",
) -> list[Unit]:
    """Split ``unit`` into new units from ``valid_from``; the old one ends the day before.

    Its answers stay with it; its procedures pass to every part (edit them afterwards).
    """
    source = Unit.objects.select_for_update().get(pk=unit.pk)
    if len(parts) < 2:
        raise UnitChangeRefused(
            "Cần ít nhất hai đơn vị mới để chia tách / a split needs at least two new units"
        )
    codes = [p.get("code", "") for p in parts]
    if len(set(codes)) != len(codes):
        raise UnitChangeRefused("Hai đơn vị mới trùng mã / two new units have the same code")
    _answer_dates_check(units=[source], valid_from=valid_from)
    if source.children.filter(valid_to__isnull=True).exists():
        raise UnitChangeRefused(
            "Đơn vị còn đơn vị trực thuộc: chuyển chúng trước khi chia tách"
            " / the unit still has sub-units: move them before splitting"
        )
    created = [_new_unit(values=p, parent=source.parent, valid_from=valid_from) for p in parts]
    services = list(source.services.all())
    for part in created:
        part.services.add(*services)
    source.valid_to = valid_from - dt.timedelta(days=1)
    source.save(update_fields=["valid_to"])
    stopped = _devices_stop(units=[source], valid_from=valid_from)
    audit_record(
        action="unit.split",
        actor=actor,
        obj=source,
        unit=source,
        reason=reason,
        data={
            "into": [u.code for u in created],
            "valid_from": valid_from.isoformat(),
            "kiosks_stopped": stopped,
        },
    )
    return created


UNIT_FIELDS = ("name", "name_en", "kind", "parent", "address", "phone", "email", "valid_from")


@transaction.atomic
def unit_update(*, actor: User | None, unit: Unit, values: dict[str, object]) -> Unit:
    """Change a unit's details (not its code: links, files and answers name it)."""
    before = {f: getattr(unit, f) for f in UNIT_FIELDS}
    parent = values.get("parent")
    if isinstance(parent, Unit) and parent.path.startswith(unit.path):
        raise UnitChangeRefused(
            "Đơn vị cấp trên không thể là chính nó hay đơn vị dưới nó"
            " / the parent cannot be the unit itself or below it"
        )
    for name in UNIT_FIELDS:
        if name in values:
            setattr(unit, name, values[name])
    unit.full_clean()
    unit.save()
    changed = {
        f: [str(before[f] or ""), str(getattr(unit, f) or "")]
        for f in UNIT_FIELDS
        if before[f] != getattr(unit, f)
    }
    if changed:
        audit_record(action="unit.update", actor=actor, obj=unit, unit=unit, data=changed)
    return unit


class DeskRefused(ValueError):
    """What is wrong with a new desk, field by field (``code``, ``name``)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def desk_code(text: str) -> str:
    """A desk code from what was typed: ``Quầy số 1`` → ``quay-so-1`` (at most 40 characters)."""
    return slugify(strip_diacritics(text))[:40].strip("-_")


@transaction.atomic
def desk_create(*, actor: User | None, unit: Unit, code: str, name: str) -> Desk:
    """A new desk; its code as typed ("Quầy 1" is ``quay-1``), or made from its name if empty.

    Raises :class:`DeskRefused` naming each field that is wrong, in both languages.
    """
    name = " ".join(name.split())
    code = desk_code(code or name)
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Hãy nhập tên quầy, ví dụ Quầy số 1 – Hộ tịch / enter the desk's name"
    elif len(name) > 200:
        problems["name"] = (
            f"Tên quầy dài {len(name)} ký tự, tối đa 200 / the name has {len(name)} characters, "
            "at most 200"
        )
    if name and not code:
        problems["code"] = (
            "Mã quầy cần chữ hoặc số, ví dụ quay-1 / the desk code needs letters or digits, "
            "e.g. quay-1"
        )
    elif code and Desk.objects.filter(unit=unit, code=code).exists():
        problems["code"] = (
            f"Đơn vị đã có quầy mã {code}: hãy chọn mã khác / desk {code} already exists here: "
            "choose another code"
        )
    if problems:
        raise DeskRefused(problems)
    desk = Desk(unit=unit, code=code, name=name)
    desk.full_clean()
    desk.save()
    audit_record(action="desk.create", actor=actor, obj=desk, unit=unit, data={"code": code})
    return desk


@transaction.atomic
def desk_update(
    *, actor: User | None, desk: Desk, name: str | None = None, active: bool | None = None
) -> Desk:
    """Rename or (de)activate a desk; an inactive desk's QR codes stop working, nothing is deleted."""
    changed: dict[str, object] = {}
    if name is not None and name != desk.name:
        changed["name"] = [desk.name, name]
        desk.name = name
    if active is not None and active != desk.active:
        changed["active"] = [desk.active, active]
        desk.active = active
    if changed:
        desk.full_clean()
        desk.save()
        audit_record(action="desk.update", actor=actor, obj=desk, unit=desk.unit, data=changed)
    return desk
