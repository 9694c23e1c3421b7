"""The public results: only published computations, in the national ranking format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hailong.core.formats import number_vn
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.models import IndexRow
from hailong.results.services import campaign_compute, campaign_publish

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def computed(settings: Any, tmp_path: Path) -> Any:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    answers_load(campaign=campaign, total=3000, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    return campaign


def test_nothing_is_shown_before_publication(client: Client, computed: Any) -> None:
    page = client.get("/ket-qua/").content.decode()
    assert "Chưa có kết quả nào được công bố" in page
    assert client.get("/ket-qua/14797/").status_code == 404


def test_the_ranking_table_shows_published_figures_in_vietnamese_format(
    client: Client, computed: Any
) -> None:
    computation = campaign_publish(campaign=computed)
    page = client.get("/ket-qua/").content.decode()
    province = IndexRow.objects.get(computation=computation, grouping="province", level="overall")
    assert f"{number_vn(province.index, 2)}%" in page  # e.g. 85,17%
    assert computation.digest[:12] in page
    ranked = IndexRow.objects.filter(
        computation=computation, grouping="unit", level="overall", rank__isnull=False
    )
    top = ranked.order_by("rank").select_related("unit").first()
    assert top is not None and top.unit is not None
    assert f'/ket-qua/{top.unit.code}/">{top.unit.name}</a>' in page
    assert (
        page.count('<tr class="unranked">')
        == IndexRow.objects.filter(
            computation=computation, grouping="unit", level="overall", rank__isnull=True
        ).count()
    )
    assert "Xã, phường" in page and "Thấp nhất" in page and "Cao nhất" in page
    legend = page.index("<dt>F1</dt><dd>Tiếp cận dịch vụ hành chính công</dd>")
    assert legend < page.index('<table class="ranking">')  # said before the columns, not hovered
    lowest = min(r.index for r in ranked if r.unit.kind in ("commune", "ward"))  # type: ignore[union-attr]
    assert number_vn(lowest, 2) in page


def test_a_unit_page_lists_every_criterion_with_its_interval(client: Client, computed: Any) -> None:
    computation = campaign_publish(campaign=computed)
    row = (
        IndexRow.objects.filter(
            computation=computation, grouping="unit", level="overall", rank__isnull=False
        )
        .select_related("unit")
        .first()
    )
    assert row is not None and row.unit is not None
    page = client.get(f"/ket-qua/{row.unit.code}/").content.decode()
    assert row.unit.name in page and number_vn(row.index, 2) in page
    assert "Nơi ngồi chờ" in page or "chỗ ngồi" in page  # a criterion of factor 1
    item = IndexRow.objects.get(
        computation=computation, grouping="unit", unit=row.unit, level="item", code="f1_1"
    )
    if item.index is not None:
        assert f"{number_vn(item.low, 2)}–{number_vn(item.high, 2)}" in page


def test_results_do_not_change_when_recomputed_after_publication(
    client: Client, computed: Any
) -> None:
    published = campaign_publish(campaign=computed)

    def main() -> str:
        page = client.get("/ket-qua/").content.decode()
        return page[page.index("<main") : page.index("</main>")]

    before = main()
    computed.min_answers = 200
    computed.save()
    campaign_compute(campaign=computed)  # a new computation, not published
    assert main() == before
    assert published.rows.exists()


def test_the_published_pages_draw_charts_beside_their_tables(client: Client, computed: Any) -> None:
    computation = campaign_publish(campaign=computed)
    page = client.get("/ket-qua/").content.decode()
    page = page[page.index("<main") : page.index("</main>")]
    assert 'aria-label="Chỉ số từng yếu tố của toàn tỉnh, kèm khoảng tin cậy"' in page
    ranking_tables = page.count('<table class="ranking">')
    assert ranking_tables >= 1
    # one ranking chart per table, each named for its class of units
    ranking = 'role="img" aria-label="Chỉ số chung của từng cơ quan, đơn vị kèm khoảng tin cậy – '
    assert page.count(ranking) == ranking_tables
    factor = IndexRow.objects.filter(
        computation=computation, grouping="province", level="factor"
    ).first()
    assert factor is not None
    assert f"{number_vn(factor.low, 2)}–{number_vn(factor.high, 2)}" in page
    assert "82,66" in page and "Bộ Nội vụ" in page  # the national reference series and its source

    few = (
        IndexRow.objects.filter(
            computation=computation, grouping="unit", level="overall", enough=False
        )
        .select_related("unit")
        .first()
    )
    ranked = (
        IndexRow.objects.filter(
            computation=computation, grouping="unit", level="overall", enough=True
        )
        .select_related("unit")
        .first()
    )
    assert ranked is not None and ranked.unit is not None
    page = client.get(f"/ket-qua/{ranked.unit.code}/").content.decode()
    assert 'aria-label="Các yếu tố của cơ quan, đơn vị kèm khoảng tin cậy"' in page
    assert "Không có số liệu năm trước để so sánh." in page  # one year only: words, no line
    if few is not None and few.unit is not None and few.index is not None:
        page = client.get(f"/ket-qua/{few.unit.code}/").content.decode()
        assert "<svg" not in page[page.index("<main") :]
