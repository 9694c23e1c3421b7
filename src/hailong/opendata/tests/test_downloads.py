"""Open data files of a published computation: every format reads back with the same figures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.utils import timezone

from hailong.collection.models import Response
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.results.models import Computation, IndexRow
from hailong.results.services import campaign_compute, campaign_publish
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def computed(settings: Any, tmp_path: Path) -> Any:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.HAILONG_OPEN_DATA_DIR = tmp_path / "opendata"
    campaign = campaign_create(root=structure_load())
    campaign.min_answers = 15
    campaign.save()
    answers_load(campaign=campaign, total=1500, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    return campaign


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_nothing_is_downloadable_before_publication(client: Client, computed: Any) -> None:
    page = client.get("/du-lieu-mo/").content.decode()
    assert "Chưa có kết quả nào được công bố" in page
    missing = client.get(f"/du-lieu-mo/{computed.code}/chi-so.csv")
    assert missing.status_code == 404
    text = missing.content.decode()
    assert "chưa công bố kết quả" in text and "has no published results" in text


def test_the_index_table_in_every_format_has_the_stored_figures(
    client: Client, computed: Any
) -> None:
    computation = campaign_publish(campaign=computed)
    every = IndexRow.objects.filter(computation=computation)
    # published: not the staff-only breakdowns, and no group of fewer than 5 outside the ranking
    ranking = ("province", "unit", "unit_kind", "unit_level")
    kept = [
        r.pk
        for r in every
        if r.grouping not in ("unit_service", "unit_source") and (r.grouping in ranking or r.n >= 5)
    ]
    assert every.filter(grouping="unit_service").exists() and len(kept) < every.count()
    stored = every.filter(pk__in=kept)
    province = stored.get(grouping="province", level="overall")
    page = client.get("/du-lieu-mo/").content.decode()
    assert f"/du-lieu-mo/{computed.code}/chi-so.parquet" in page and "CC BY 4.0" in page

    text = _body(client.get(f"/du-lieu-mo/{computed.code}/chi-so.csv"))
    assert text.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Vietnamese
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(rows) == stored.count()
    assert all(r["grouping"] in ranking or int(r["n"]) >= 5 for r in rows)
    row = next(r for r in rows if r["grouping"] == "province" and r["level"] == "overall")
    assert float(row["index"]) == province.index and int(row["n"]) == province.n

    table = pq.read_table(
        io.BytesIO(_body(client.get(f"/du-lieu-mo/{computed.code}/chi-so.parquet")))
    )
    assert table.num_rows == stored.count()
    figures = {
        (r["grouping"], r["group_value"], r["level"], r["code"]): r for r in table.to_pylist()
    }
    for r in stored.filter(grouping="unit", level="overall"):
        assert figures[(r.grouping, r.group_value, r.level, r.code)]["index"] == r.index

    book = openpyxl.load_workbook(
        io.BytesIO(_body(client.get(f"/du-lieu-mo/{computed.code}/chi-so.xlsx")))
    )
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["Cách nhóm", "Nhóm", "Mã đơn vị"] and sheet.auto_filter.ref
    assert sheet.max_row == stored.count() + 1
    first = [c for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first[0].value == "province"  # the province first, not alphabetical groupings
    assert first[header.index("Cấp chỉ số")].value == "overall"  # its overall index first
    codes = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "unit"]
    assert codes == sorted(codes)  # units by code, not by the database's ids as text
    index = header.index("Chỉ số (%)")
    assert first[index].number_format == "#,##0.00" and isinstance(first[index].value, float)
    assert first[header.index("Số câu trả lời hợp lệ")].number_format == "#,##0"

    document = json.loads(_body(client.get(f"/du-lieu-mo/{computed.code}/chi-so.json")))
    assert document["metadata"]["content_sha256"] == computation.digest
    assert document["metadata"]["instrument"] == {"code": "sipas-2017-province", "version": 1}
    assert len(document["rows"]) == stored.count()
    assert any(
        r["index"] == province.index for r in document["rows"] if r["grouping"] == "province"
    )


def test_an_unpublished_newer_computation_is_never_served(client: Client, computed: Any) -> None:
    published = campaign_publish(campaign=computed)
    campaign_compute(campaign=computed)  # a newer, unpublished computation
    assert Computation.objects.filter(campaign=computed).count() == 2
    document = json.loads(_body(client.get(f"/du-lieu-mo/{computed.code}/chi-so.json")))
    assert document["metadata"]["content_sha256"] == published.digest
    assert client.get(f"/du-lieu-mo/{computed.code}/chi-so.exe").status_code == 404


def test_the_answers_leave_out_free_text_and_identifiers(client: Client, computed: Any) -> None:
    campaign_publish(campaign=computed)
    accepted = Response.objects.filter(campaign=computed, review="accepted")
    text = _body(client.get(f"/du-lieu-mo/{computed.code}/tra-loi.csv")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == accepted.count()
    columns = set(rows[0])
    assert {"unit_code", "unit_kind", "field", "procedure", "channel", "month", "f1_1"} <= columns
    assert not columns & {"y_kien", "receipt", "idempotency_key", "client_hash", "device", "desk",
                          "invitation", "submitted_at", "filing_channel", "hinh_thuc_nop"}  # fmt: skip
    receipts = set(accepted.values_list("receipt", flat=True)[:50])
    assert not any(r in text for r in receipts)
    comment = accepted.exclude(answers__y_kien=None).values_list("answers", flat=True).first()
    if comment:
        assert comment["y_kien"] not in text
    # Every (unit × released attributes) cell has at least five answers.
    dictionary = json.loads(_body(client.get(f"/du-lieu-mo/{computed.code}/tu-dien.json")))
    released = dictionary["answers"]["suppression"]["profile_released"]
    cells: dict[tuple[str, ...], int] = {}
    for r in rows:
        if any(r[a] for a in released):
            key = (r["unit_code"], *(r[a] for a in released))
            cells[key] = cells.get(key, 0) + 1
    assert all(n >= 5 for n in cells.values())
    for fmt in ("xlsx", "parquet", "jsonl"):
        assert client.get(f"/du-lieu-mo/{computed.code}/tra-loi.{fmt}").status_code == 200
    page = client.get(f"/du-lieu-mo/{computed.code}/tu-dien/").content.decode()
    assert ("f1_1" in page and "Rất hài lòng" in page) or "hài lòng" in page
    assert "Thuộc tính người trả lời chỉ được công bố" in page
    assert "Respondent attributes are released only" not in page  # one language a page


def test_a_unique_respondent_cannot_be_singled_out(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.HAILONG_OPEN_DATA_DIR = tmp_path / "opendata"
    campaign = campaign_create(root=structure_load())
    units = list(Unit.objects.filter(kind="ward").order_by("code")[:2])
    now = timezone.now()

    def answer(i: int, unit: Unit, profile: dict[str, int]) -> Response:
        return Response(
            receipt=f"R{i}", idempotency_key=f"k-{i}", campaign=campaign,
            instrument=campaign.instrument, unit=unit, source="web", collection_mode="online",
            submitted_at=now, answers={"f1_1": 4, "y_kien": f"Tôi là người số {i}"},
            profile=profile,
        )  # fmt: skip

    Response.objects.bulk_create(
        [answer(i, units[0], {"gioi_tinh": 1, "tuoi": 2}) for i in range(9)]
        + [answer(9, units[0], {"gioi_tinh": 2, "tuoi": 2})]  # the only woman of the unit
        + [answer(10 + i, units[1], {"gioi_tinh": 1, "tuoi": 3}) for i in range(3)]
    )
    Computation.objects.create(
        campaign=campaign, instrument=campaign.instrument, n_answers=13, digest="a" * 64,
        published_at=timezone.now(),
    )  # fmt: skip
    rows = [
        json.loads(line)
        for line in _body(client.get(f"/du-lieu-mo/{campaign.code}/tra-loi.jsonl")).splitlines()
    ]
    assert len(rows) == 13
    assert all("gioi_tinh" not in r and "y_kien" not in r for r in rows)
    assert {r["tuoi"] for r in rows if r["unit_code"] == units[0].code} == {2}
    assert {r["tuoi"] for r in rows if r["unit_code"] == units[1].code} == {None}  # 3 answers
    assert all(r["procedure"] is None for r in rows)
    dictionary = json.loads(_body(client.get(f"/du-lieu-mo/{campaign.code}/tu-dien.json")))
    assert dictionary["answers"]["suppression"]["profile_dropped"][0] == "gioi_tinh"
    assert dictionary["licence"] == "CC BY 4.0"


def test_a_published_campaign_without_answers_says_so(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.HAILONG_OPEN_DATA_DIR = tmp_path / "opendata"
    campaign = campaign_create(root=structure_load())
    Computation.objects.create(
        campaign=campaign, instrument=campaign.instrument, n_answers=0, digest="b" * 64,
        published_at=timezone.now(),
    )  # fmt: skip
    page = client.get("/du-lieu-mo/").content.decode()
    assert "chưa có câu trả lời nào được chấp nhận" in page
    missing = client.get(f"/du-lieu-mo/{campaign.code}/tra-loi.csv")
    assert missing.status_code == 404 and "no accepted answers" in missing.content.decode()
