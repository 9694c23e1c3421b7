"""The dashboards on the demo province: figures equal the stored rows, scope per role,
downloads read back, and words instead of charts where there is nothing to draw."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.core.formats import number_vn
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.models import Computation, IndexRow
from hailong.results.services import campaign_compute, campaign_publish
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "/can-bo/bang-dieu-khien/"
PASSWORD = "mat-khau-rat-dai-2026"


@pytest.fixture
def computed(settings: Any, tmp_path: Path) -> Campaign:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    answers_load(campaign=campaign, total=2500, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    return campaign


def signed_in(role: str, unit: Unit | None = None, name: str = "canbo") -> Client:
    user = User.objects.create_user(name, password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    client = Client()
    client.force_login(user)
    return client


def main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def unit_rows(computation: Computation) -> list[IndexRow]:
    return list(
        IndexRow.objects.filter(computation=computation, grouping="unit", level="overall")
        .select_related("unit")
        .order_by("id")
    )


def test_the_overview_shows_the_stored_figures_and_says_they_are_unpublished(
    computed: Campaign,
) -> None:
    client = signed_in(Role.COORDINATOR)
    computation = Computation.objects.get(campaign=computed)
    page = main(client.get(f"{BASE}{computed.code}/").content.decode())
    province = IndexRow.objects.get(computation=computation, grouping="province", level="overall")
    assert f"{number_vn(province.index, 2)}%" in page
    assert f"{number_vn(province.low, 2)}–{number_vn(province.high, 2)}" in page
    assert "chưa công bố" in page
    for row in unit_rows(computation):
        assert row.unit is not None and row.unit.name in page
        assert number_vn(row.index, 2) in page
    few = [r for r in unit_rows(computation) if not r.enough]
    assert page.count("chưa đủ phiếu") >= len(few)
    # every chart sits beside its table, and the national reference series is drawn
    assert page.count("<svg") >= 4 and page.count("<table") >= 4
    assert "82,66" in page and "Bộ Nội vụ" in page
    assert "Không có số liệu năm trước để so sánh." in page
    for factor in IndexRow.objects.filter(
        computation=computation, grouping="province", level="factor"
    ):
        assert number_vn(factor.index, 2) in page

    campaign_publish(campaign=computed)
    page = main(client.get(f"{BASE}{computed.code}/").content.decode())
    assert "đã công bố" in page and "chưa công bố" not in page


def test_every_drill_down_and_scorecard_opens_with_the_stored_figures(computed: Campaign) -> None:
    client = signed_in(Role.AUDITOR)
    computation = Computation.objects.get(campaign=computed)
    overview = client.get(f"{BASE}{computed.code}/").content.decode()
    slugs = sorted(set(re.findall(rf"{BASE}{computed.code}/phan-tich/([-\w]+)/", overview)))
    assert {"thu-tuc", "linh-vuc", "kenh", "hinh-thuc-nop", "loai-don-vi"} <= set(slugs)
    assert any(s.startswith("nguoi-tra-loi-") for s in slugs)
    assert "nguoi-tra-loi-hinh_thuc_nop" not in slugs  # counted once, as "hinh-thuc-nop"
    filing = main(client.get(f"{BASE}{computed.code}/phan-tich/hinh-thuc-nop/").content.decode())
    stated = Response.objects.filter(campaign=computed).exclude(filing_channel="")
    assert (
        stated.count()
        == Response.objects.filter(campaign=computed, profile__hinh_thuc_nop__isnull=False).count()
    )  # the demo's answers name their channel only through the question
    assert "Không nêu" in filing
    for slug in slugs:
        response = client.get(f"{BASE}{computed.code}/phan-tich/{slug}/")
        assert response.status_code == 200, slug
    page = main(client.get(f"{BASE}{computed.code}/phan-tich/linh-vuc/").content.decode())
    for row in IndexRow.objects.filter(computation=computation, grouping="field", level="overall"):
        assert row.group_value in page and number_vn(row.index, 2) in page
    assert client.get(f"{BASE}{computed.code}/phan-tich/khong-co/").status_code == 404

    ranked = next(r for r in unit_rows(computation) if r.rank is not None)
    assert ranked.unit is not None
    page = main(client.get(f"{BASE}{computed.code}/don-vi/{ranked.unit.code}/").content.decode())
    assert ranked.unit.name in page and number_vn(ranked.index, 2) in page
    for item in IndexRow.objects.filter(
        computation=computation, grouping="unit", unit=ranked.unit, level="item"
    ):
        if item.index is not None:
            assert number_vn(item.index, 2) in page
    assert "<svg" in page and "Ý kiến gần đây" in page


def test_a_unit_manager_sees_only_their_units_and_a_clerk_nothing(computed: Campaign) -> None:
    computation = Computation.objects.get(campaign=computed)
    rows = [r for r in unit_rows(computation) if r.unit is not None and r.unit.kind == "ward"]
    mine, other = rows[0].unit, rows[1].unit
    assert mine is not None and other is not None
    manager = signed_in(Role.UNIT_MANAGER, unit=mine, name="quanly")
    page = main(manager.get(f"{BASE}{computed.code}/").content.decode())
    assert mine.name in page and f">{other.name}<" not in page
    province = IndexRow.objects.get(computation=computation, grouping="province", level="overall")
    assert f"{number_vn(province.index, 2)}%" in page
    assert manager.get(f"{BASE}{computed.code}/don-vi/{mine.code}/").status_code == 200
    assert manager.get(f"{BASE}{computed.code}/don-vi/{other.code}/").status_code == 404
    assert (
        manager.get(f"{BASE}{computed.code}/don-vi/{other.code}/tai/yeu-to.csv").status_code == 404
    )
    assert manager.get(f"{BASE}{computed.code}/phan-tich/loai-don-vi/").status_code == 404
    table = _csv(manager.get(f"{BASE}{computed.code}/tai/xep-hang.csv").content)
    assert [r[0] for r in table[1:]] == [mine.name]

    clerk = signed_in(Role.CLERK, unit=None, name="nhaplieu")
    assert clerk.get(BASE).status_code == 403
    assert clerk.get(f"{BASE}{computed.code}/").status_code == 403
    assert clerk.get(f"{BASE}{computed.code}/tai/tinh.csv").status_code == 403
    anonymous = Client().get(f"{BASE}{computed.code}/")
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_downloads_hold_the_same_figures_as_numbers(computed: Campaign) -> None:
    client = signed_in(Role.ADMINISTRATOR)
    computation = Computation.objects.get(campaign=computed)
    by_name = {r.unit.name: r for r in unit_rows(computation) if r.unit is not None}

    table = _csv(client.get(f"{BASE}{computed.code}/tai/xep-hang.csv").content)
    header = table[0]
    assert header[:6] == [
        "Đơn vị",
        "Loại đơn vị",
        "Chỉ số (%)",
        "Cận dưới",
        "Cận trên",
        "Phiếu trả lời",
    ]
    assert len(table) - 1 == len(by_name)
    for line in table[1:]:
        row = by_name[line[0]]
        assert (float(line[2]) if line[2] else None) == pytest.approx(row.index)
        assert int(line[5]) == row.n

    response = client.get(f"{BASE}{computed.code}/tai/xep-hang.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:3]) == ["Đơn vị", "Loại đơn vị", "Chỉ số (%)"]
    for line in values[1:]:
        row = by_name[str(line[0])]
        assert line[2] is None if row.index is None else isinstance(line[2], int | float)
        assert line[2] == pytest.approx(row.index)
        assert line[5] == row.n

    unit = next(r.unit for r in unit_rows(computation) if r.enough)
    assert unit is not None
    items = _csv(client.get(f"{BASE}{computed.code}/don-vi/{unit.code}/tai/tieu-chi.csv").content)
    stored = IndexRow.objects.get(
        computation=computation, grouping="unit", unit=unit, level="item", code="f1_1"
    )
    assert float(items[1][2]) == pytest.approx(stored.index)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{BASE}{computed.code}/phan-tich/linh-vuc/tai/nhom.xlsx").content)
    )
    fields = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    stored_fields = IndexRow.objects.filter(
        computation=computation, grouping="field", level="overall"
    )
    assert fields[0][0] == "Nhóm" and len(fields) - 1 == stored_fields.count()
    assert client.get(f"{BASE}{computed.code}/tai/khong-co.csv").status_code == 404


def test_a_unit_with_too_few_answers_is_said_in_words_not_drawn(computed: Campaign) -> None:
    computed.min_answers = 10_000
    computed.save()
    campaign_compute(campaign=computed)
    client = signed_in(Role.COORDINATOR)
    computation = Computation.objects.filter(campaign=computed).latest()
    row = unit_rows(computation)[0]
    assert row.unit is not None and not row.enough
    page = main(client.get(f"{BASE}{computed.code}/don-vi/{row.unit.code}/").content.decode())
    assert "quá ít để vẽ biểu đồ hay xếp hạng" in page
    assert "<svg" not in page
    drill = main(client.get(f"{BASE}{computed.code}/phan-tich/loai-don-vi/").content.decode())
    assert "Không nhóm nào đủ câu trả lời để vẽ biểu đồ" in drill and "<svg" not in drill


def test_a_campaign_without_answers_renders_words(settings: Any, tmp_path: Path) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    campaign = campaign_create(root=structure_load())
    client = signed_in(Role.COORDINATOR)
    page = main(client.get(f"{BASE}{campaign.code}/").content.decode())
    assert "chưa được tính" in page and "<svg" not in page
    assert campaign.name in main(client.get(BASE).content.decode())
    campaign_compute(campaign=campaign)
    page = main(client.get(f"{BASE}{campaign.code}/").content.decode())
    assert "chưa có câu trả lời nào" in page and "<svg" not in page and "<table" not in page
    unit = campaign.scope.first()
    assert unit is not None
    page = main(client.get(f"{BASE}{campaign.code}/don-vi/{unit.unit.code}/").content.decode())
    assert "chưa có câu trả lời nào" in page and "<svg" not in page
    assert client.get(f"{BASE}{campaign.code}/phan-tich/linh-vuc/").status_code == 200


def test_the_staff_home_offers_the_dashboards_to_readers_of_results_only() -> None:
    ward = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind="ward")
    viewer = signed_in(Role.VIEWER, unit=ward, name="xemketqua")
    assert f'href="{BASE}"' in viewer.get("/can-bo/").content.decode()
    assert viewer.get(BASE).status_code == 200
    clerk = signed_in(Role.CLERK, unit=ward, name="nhaplieu")
    assert f'href="{BASE}"' not in clerk.get("/can-bo/").content.decode()


def test_the_scorecard_shows_the_unit_by_procedure_and_by_channel_to_its_staff_only(
    computed: Campaign,
) -> None:
    computation = Computation.objects.get(campaign=computed)
    rows = sorted(
        (r for r in unit_rows(computation) if r.unit is not None and r.enough),
        key=lambda r: -r.n,
    )
    mine, other = rows[0].unit, rows[1].unit
    assert mine is not None and other is not None
    manager = signed_in(Role.UNIT_MANAGER, unit=mine, name="quanly")
    page = main(manager.get(f"{BASE}{computed.code}/don-vi/{mine.code}/").content.decode())
    assert "theo thủ tục" in page and "theo kênh" in page
    assert 'id="h-theo-thu-tuc"' in page and 'id="h-theo-kenh"' in page
    for grouping, key in (("unit_service", "theo-thu-tuc"), ("unit_source", "theo-kenh")):
        stored = IndexRow.objects.filter(
            computation=computation, grouping=grouping, level="overall", unit=mine
        )
        assert stored.exists()
        assert all(r.group_value.startswith(f"{mine.pk}|") for r in stored)
        for r in stored.filter(enough=True):
            assert number_vn(r.index, 2) in page
        section = page[page.index(f'id="h-{key}"') :]
        section = section[: section.index("</section>")]
        if stored.filter(enough=True).exists():
            assert "<svg" in section
        if stored.filter(enough=False).exists():
            assert "chưa đủ phiếu" in section

        def order(pair: tuple[int, float | None]) -> tuple[int, bool, float]:
            return (pair[0], pair[1] is None, pair[1] or 0.0)

        by_n = sorted(((r.n, r.index) for r in stored), key=order)
        table = _csv(manager.get(f"{BASE}{computed.code}/don-vi/{mine.code}/tai/{key}.csv").content)
        read = sorted(
            ((int(line[4]), float(line[1]) if line[1] else None) for line in table[1:]), key=order
        )
        assert len(read) == len(by_n)
        for (n, index), (n2, index2) in zip(read, by_n, strict=True):
            assert n == n2 and (index is None) == (index2 is None)
            assert index is None or index == pytest.approx(index2)
        book = openpyxl.load_workbook(
            io.BytesIO(
                manager.get(f"{BASE}{computed.code}/don-vi/{mine.code}/tai/{key}.xlsx").content
            )
        )
        lines = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert len(lines) - 1 == stored.count()
        assert sorted(line[4] for line in lines[1:]) == sorted(r.n for r in stored)
        assert (
            manager.get(f"{BASE}{computed.code}/don-vi/{other.code}/tai/{key}.csv").status_code
            == 404
        )
    assert manager.get(f"{BASE}{computed.code}/don-vi/{other.code}/").status_code == 404
