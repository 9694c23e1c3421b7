"""File imports: the template per questionnaire, the dry run, the all-or-nothing commit."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.units.models import Service, Unit

from .conftest import sheet

pytestmark = pytest.mark.django_db
UPLOAD, COMMIT = "/quan-tri/nhap-lieu/tep/", "/quan-tri/nhap-lieu/tep/ghi/"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filled_csv(template: bytes, rows: list[dict[str, str]]) -> bytes:
    """The downloaded CSV template with rows added under its two header rows."""
    lines = list(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(lines)
    writer.writerows([[row.get(code, "") for code in lines[0]] for row in rows])
    return out.getvalue().encode()


def upload(client: Client, campaign: Campaign, name: str, data: bytes, **fields: Any) -> Any:
    file = io.BytesIO(data)
    file.name = name
    form = {"campaign": campaign.pk, "fmt": "template", "mode": "paper", "file": file} | fields
    return client.post(UPLOAD, form)


def commit(client: Client, page: Any, **changes: Any) -> Any:
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.content.decode())
    assert digest is not None, "the preview offers no commit"
    fields = {k: page.context["form"][k].value() or "" for k in ("campaign", "fmt", "unit", "mode")}
    return client.post(COMMIT, fields | {"digest": digest.group(1)} | changes)


def rows_for(unit: Unit) -> list[dict[str, str]]:
    return [
        sheet(ma_phieu="A-001", ma_don_vi=unit.code, ma_tthc="1.001193", ngay="05/03/2025", f1_1="5"),
        sheet(ma_phieu="A-002", ma_don_vi=unit.code, ngay="2025-03-06", gave_feedback="1", f5_1="3", f5_2="4", f5_3="4", f5_4="2"),
    ]  # fmt: skip


def test_the_csv_template_round_trip_stores_the_figures_once(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.csv")
    assert template.status_code == 200 and template["Content-Type"].startswith("text/csv")
    header, labels = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))[:2]
    assert header[:4] == ["ma_phieu", "ma_don_vi", "ma_tthc", "ngay"] and "f1_1" in header
    assert labels[0].startswith("#") and any("4 = Hài lòng" in label for label in labels)

    data = filled_csv(template.content, rows_for(province["a"]))
    preview = upload(client, campaign, "phieu.csv", data)
    assert preview.status_code == 200
    assert (preview.context["preview"].rows_read, preview.context["preview"].to_store) == (2, 2)
    assert not Response.objects.exists()  # the dry run stores nothing

    assert commit(client, preview).status_code == 302
    stored = {r.idempotency_key: r for r in Response.objects.all()}
    assert set(stored) == {f"tep-{campaign.pk}-A-001", f"tep-{campaign.pk}-A-002"}
    first, second = stored[f"tep-{campaign.pk}-A-001"], stored[f"tep-{campaign.pk}-A-002"]
    assert first.answers["f1_1"] == 5 and first.service == service and first.source == "import"
    assert first.submitted_at.date().isoformat() == "2025-03-05" and first.profile["gioi_tinh"] == 2
    assert second.answers["f5_4"] == 2 and second.unit == province["a"]

    again = commit(client, preview)  # the same file committed twice stores it once
    assert again.status_code == 302 and Response.objects.count() == 2
    page = client.get(UPLOAD).content.decode()
    assert "0" in page and ("2 were already stored" in page or "2 phiếu đã có" in page)
    repeat = upload(client, campaign, "phieu.csv", data)
    assert repeat.context["preview"].already == 2 and repeat.context["preview"].to_store == 0


def test_the_xlsx_template_round_trip(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["Phiếu", "Hướng dẫn"]
    data_sheet = book["Phiếu"]
    header = [c.value for c in data_sheet[1]]
    assert any(dv.formula1 == '"1,2,3,4,5,99"' for dv in data_sheet.data_validations.dataValidation)
    guide = [[c.value for c in row] for row in book["Hướng dẫn"].iter_rows()]
    assert [r[0] for r in guide if r[0] == "f1_1"] == ["f1_1"] and any(
        "Hài lòng" in str(r[2]) for r in guide
    )
    for row in rows_for(province["a"]):
        data_sheet.append(
            [
                int(row[c]) if row.get(c, "").isdigit() and c not in ("ma_don_vi",) else row.get(c)
                for c in header
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(client, campaign, "phieu.xlsx", buffer.getvalue())
    assert preview.status_code == 200, preview.context["problems"]
    assert commit(client, preview).status_code == 302
    assert sorted(r.answers["f1_1"] for r in Response.objects.all()) == [4, 5]


def test_a_broken_row_is_named_by_row_and_column_and_nothing_is_stored(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.csv").content
    rows = [
        *rows_for(province["a"]),
        sheet(ma_don_vi=province["a"].code, f2_1="8"),  # row 5: off the scale
        sheet(ma_don_vi=province["b"].code),  # row 6: a unit this clerk does not hold
        sheet(ma_don_vi=province["a"].code, ngay="31/02/2025", ma_phieu="A-001"),  # row 7
    ]
    preview = upload(client, campaign, "phieu.csv", filled_csv(template, rows))
    assert preview.status_code == 400
    found = {(p.row, p.column) for p in preview.context["problems"]}
    assert found == {(5, "f2_1"), (6, "ma_don_vi"), (7, "ngay"), (7, "ma_phieu")}
    text = preview.content.decode()
    assert (
        "is not a valid code (choose: 1, 2, 3, 4, 5, 99)" in text and "không phải mã hợp lệ" in text
    )
    assert "outside the units you hold" in text and "repeats row 3" in text
    assert 'name="digest"' not in text  # no commit is offered
    assert not Response.objects.exists()


def test_a_commit_rechecks_the_kept_file_and_stores_nothing_when_it_went_bad(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.csv").content
    preview = upload(client, campaign, "phieu.csv", filled_csv(template, rows_for(province["a"])))
    service.delete()  # the procedure of row 3 disappears between the dry run and the commit
    refused = commit(client, preview)
    assert refused.status_code == 400 and {
        (p.row, p.column) for p in refused.context["problems"]
    } == {(3, "ma_tthc")}
    assert not Response.objects.exists()
    gone = client.post(
        COMMIT,
        {"campaign": campaign.pk, "fmt": "template", "mode": "paper", "digest": "0" * 64},
        follow=True,
    )
    assert "upload it again" in gone.content.decode() and not Response.objects.exists()


def test_an_odk_export_is_imported_on_the_same_screen(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    client = signed_in(people["lan"])
    answers = sheet(f1_1="5")
    codes = list(answers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*codes, "meta/instanceID", "_submission_time"])
    writer.writerow([answers[c] for c in codes] + ["uuid:0001", "2025-03-04T01:05:00"])
    data = out.getvalue().encode()
    missing_unit = upload(client, campaign, "kobo.csv", data, fmt="odk")
    assert missing_unit.status_code == 400 and "choose the unit" in missing_unit.content.decode()
    preview = upload(client, campaign, "kobo.csv", data, fmt="odk", unit=province["a"].pk)
    assert preview.status_code == 200 and preview.context["preview"].to_store == 1
    assert commit(client, preview, mode="interview").status_code == 302
    stored = Response.objects.get()
    assert stored.idempotency_key == "odk:uuid:0001" and stored.collection_mode == "interview"
    assert stored.answers["f1_1"] == 5 and stored.unit == province["a"]


def test_a_row_dated_after_its_unit_ended_is_named_and_nothing_is_stored(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    import datetime as dt

    Unit.objects.filter(pk=province["a"].pk).update(valid_to=dt.date(2025, 3, 5))
    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.csv")
    preview = upload(
        client, campaign, "phieu.csv", filled_csv(template.content, rows_for(province["a"]))
    )
    problems = preview.context["preview"].problems
    assert [(p.row, p.column) for p in problems] == [(4, "ngay")]  # 06/03, the day after
    assert "05/03/2025" in problems[0].message_vi and "ended" in problems[0].message_en
    assert not Response.objects.exists()


def test_a_row_dated_in_the_future_is_named_and_nothing_is_stored(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    import datetime as dt

    from django.utils import timezone

    client = signed_in(people["lan"])
    template = client.get(f"/quan-tri/nhap-lieu/tep/mau/{campaign.code}.csv")
    rows = rows_for(province["a"])
    rows[1]["ngay"] = (timezone.localdate() + dt.timedelta(days=1)).isoformat()  # a typo
    preview = upload(client, campaign, "phieu.csv", filled_csv(template.content, rows))
    problems = preview.context["preview"].problems
    assert [(p.row, p.column, p.message_en) for p in problems] == [
        (4, "ngay", "the answer date is in the future")
    ]
    assert not Response.objects.exists()
