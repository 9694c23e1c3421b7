"""Writing units and procedures: the province from the national list, and file imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from hailong.core.imports import ImportRejected, Problem, read_rows, text

from .models import Service, Unit, UnitKind

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


def units_import(*, path: Path, parent: Unit) -> int:
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
            code = str(values.pop("code"))
            Unit.objects.update_or_create(code=code, defaults={**values, "parent": parent})
    return len(clean)


def services_import(*, path: Path) -> int:
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
    return len(clean)
