"""Units from the national list, and all-or-nothing file imports with row and column errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hailong.core.imports import ImportRejected
from hailong.units.models import Service, Unit, UnitKind
from hailong.units.services import province_load, services_import, units_import

pytestmark = pytest.mark.django_db


def test_thanh_hoa_has_166_communes_and_wards_with_official_codes() -> None:
    root = province_load(province_code=38)
    below = root.subtree().exclude(pk=root.pk)
    assert below.count() == 166
    assert below.filter(kind=UnitKind.COMMUNE).count() == 147
    assert below.filter(kind=UnitKind.WARD).count() == 19
    assert Unit.objects.get(code="14797").name == "Phường Hạc Thành"
    assert province_load(province_code=38) == root  # a second load changes nothing
    assert Unit.objects.count() == 167


def test_the_tree_path_follows_moves() -> None:
    a = Unit.objects.create(code="A", name="A", kind=UnitKind.PROVINCE)
    b = Unit.objects.create(code="B", name="B", kind=UnitKind.DISTRICT, parent=a)
    c = Unit.objects.create(code="C", name="C", kind=UnitKind.COMMUNE, parent=b)
    assert c.path == f"/{a.pk}/{b.pk}/{c.pk}/" and c.depth == 2
    other = Unit.objects.create(code="D", name="D", kind=UnitKind.PROVINCE)
    b.parent = other
    b.save()
    c.refresh_from_db()
    assert c.path == f"/{other.pk}/{b.pk}/{c.pk}/"
    assert set(other.subtree()) == {other, b, c}
    assert set(a.subtree()) == {a}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_unit_file_with_a_bad_row_imports_nothing_and_names_row_and_column(
    tmp_path: Path,
) -> None:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    path = write(
        tmp_path,
        "units.csv",
        "code,name,kind,email\nSNV,Sở Nội vụ,department,snv@thanhhoa.gov.vn\n"
        "STC,,department,\nSTP,Sở Tư pháp,ministry,khong-phai-email\nSNV,Trùng mã,department,\n",
    )
    with pytest.raises(ImportRejected) as caught:
        units_import(path=path, parent=root)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "name"), (4, "kind"), (4, "email"), (5, "code")}
    message = str(caught.value)
    assert "units.csv" in message and "dòng/row 4" in message and "cột/column 'kind'" in message
    assert "không hợp lệ" in message and "is not valid" in message
    assert Unit.objects.count() == 1


def test_a_yaml_unit_file_imports(tmp_path: Path) -> None:
    root = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    path = write(tmp_path, "units.yaml", "- {code: SNV, name: Sở Nội vụ, kind: department}\n")
    assert units_import(path=path, parent=root) == 1
    assert Unit.objects.get(code="SNV").parent == root


def test_a_file_without_required_columns_is_refused(tmp_path: Path) -> None:
    root = Unit.objects.create(code="38", name="Tỉnh", kind=UnitKind.PROVINCE)
    with pytest.raises(ImportRejected, match="name"):
        units_import(path=write(tmp_path, "u.csv", "code,kind\nX,department\n"), parent=root)
    with pytest.raises(ImportRejected, match="UTF-8"):
        path = tmp_path / "latin.csv"
        path.write_bytes("code,name,kind\nX,S\xf4,department\n".encode("latin-1"))
        units_import(path=path, parent=root)


def test_procedures_are_linked_to_the_kinds_and_codes_that_deliver_them(tmp_path: Path) -> None:
    root = Unit.objects.create(code="38", name="Tỉnh", kind=UnitKind.PROVINCE)
    Unit.objects.create(code="W1", name="Phường A", kind=UnitKind.WARD, parent=root)
    Unit.objects.create(code="C1", name="Xã B", kind=UnitKind.COMMUNE, parent=root)
    Unit.objects.create(code="SXD", name="Sở Xây dựng", kind=UnitKind.DEPARTMENT, parent=root)
    path = write(
        tmp_path,
        "p.csv",
        "code,name,field,level,unit_kinds\n1.001193,Đăng ký khai sinh,Hộ tịch,commune,commune|ward\n"
        "1.009972,Cấp giấy phép xây dựng,Xây dựng,province,SXD\n",
    )
    assert services_import(path=path) == 2
    assert {u.code for u in Service.objects.get(code="1.001193").units.all()} == {"W1", "C1"}
    assert [u.code for u in Service.objects.get(code="1.009972").units.all()] == ["SXD"]


def test_a_procedure_file_with_unknown_units_imports_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "code,name,field,level,unit_kinds\n1.1,Thủ tục A,Hộ tịch,commune,commune\n"
        "1.2,Thủ tục B,Hộ tịch,galaxy,NOPE\n",
    )
    with pytest.raises(ImportRejected) as caught:
        services_import(path=path)
    assert {(p.row, p.column) for p in caught.value.problems} == {(3, "level"), (3, "unit_kinds")}
    assert Service.objects.count() == 0
