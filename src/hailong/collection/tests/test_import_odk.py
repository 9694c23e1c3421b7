"""Offline collection: export a questionnaire to XLSForm, import what ODK/Kobo collected, once."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_normalise
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    builtin_instruments_load()
    desk = InstrumentVersion.objects.get(code="desk-quick")
    campaign = Campaign.objects.create(
        code="quay-2025", name="Đánh giá tại quầy 2025", year=2025, instrument=desk,
        period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), status=Campaign.Status.OPEN,
    )  # fmt: skip
    unit = Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD)
    CampaignUnit.objects.create(campaign=campaign, unit=unit, quota=100)
    return campaign


def columns_of(xlsform: Path) -> dict[str, str]:
    """Question name → its export column ("group/name"), walked from the exported XLSForm."""
    sheet = openpyxl.load_workbook(xlsform)["survey"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    groups: list[str] = []
    out: dict[str, str] = {}
    for values in rows[1:]:
        row = dict(zip(header, values, strict=False))
        kind, name = str(row["type"] or ""), str(row["name"] or "")
        if kind == "begin group":
            groups.append(name)
        elif kind == "end group":
            groups.pop()
        elif kind.startswith(("select_one", "text", "integer", "decimal")):
            out[name] = "/".join([*groups, name])
    return out


def write(path: Path, columns: dict[str, str], answers: list[dict[str, str]]) -> Path:
    header = [*columns.values(), "meta/instanceID", "_submission_time"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for n, row in enumerate(answers, start=1):
            writer.writerow(
                [row.get(code, "") for code in columns] + [f"uuid:{n:04d}", "2025-03-04T01:05:00"]
            )
    return path


def test_answers_collected_offline_are_imported_once(campaign: Campaign, tmp_path: Path) -> None:
    form = tmp_path / "desk.xlsx"
    call_command("xlsform", "desk-quick", str(form))
    columns = columns_of(form)
    assert {"tiep_can", "tong_the", "y_kien"} <= set(columns)
    answers = [
        {"tiep_can": "5", "thu_tuc": "4", "cong_chuc": "5", "ket_qua": "4", "gop_y": "99", "tong_the": "5"},
        {"tiep_can": "3", "thu_tuc": "2", "cong_chuc": "4", "ket_qua": "3", "gop_y": "3", "tong_the": "3",
         "y_kien": "Chờ lâu quá"},
        {"tiep_can": "4", "thu_tuc": "4", "cong_chuc": "4", "ket_qua": "4", "gop_y": "4", "tong_the": "4"},
    ]  # fmt: skip
    path = write(tmp_path / "kobo.csv", columns, answers)
    call_command("import_odk", "quay-2025", str(path), unit="14797")
    stored = list(Response.objects.order_by("pk"))
    assert all(receipt_normalise(r.receipt) == r.receipt for r in stored)
    assert len({r.receipt for r in stored}) == 3 and stored[0].receipt.startswith("2025-")
    assert (
        stored[0].answers["tong_the"] == 5 and "gop_y" not in stored[0].answers
    )  # 99 = not applicable
    assert stored[1].answers["y_kien"] == "Chờ lâu quá" and stored[0].source == "import"
    assert (
        campaign.instrument.__class__.objects.get(pk=campaign.instrument.pk).frozen_at is not None
    )

    call_command("import_odk", "quay-2025", str(path), unit="14797")  # the same file again
    assert Response.objects.count() == 3

    answers[0]["tong_the"] = "1"
    with pytest.raises(CommandError, match="other answers"):
        call_command(
            "import_odk",
            "quay-2025",
            str(write(tmp_path / "changed.csv", columns, answers)),
            unit="14797",
        )
    assert Response.objects.get(pk=stored[0].pk).answers["tong_the"] == 5


def test_a_file_with_a_bad_value_imports_nothing_and_says_where(
    campaign: Campaign, tmp_path: Path
) -> None:
    form = tmp_path / "desk.xlsx"
    call_command("xlsform", "desk-quick", str(form))
    columns = columns_of(form)
    bad = [{"tiep_can": "5", "tong_the": "5"}, {"tiep_can": "7", "tong_the": "4"}]
    with pytest.raises(CommandError, match=r"row 3.*tiep_can") as caught:
        call_command(
            "import_odk", "quay-2025", str(write(tmp_path / "bad.csv", columns, bad)), unit="14797"
        )
    assert "nothing was imported" in str(caught.value)
    assert not Response.objects.exists()


def test_unknown_campaign_unit_or_questionnaire_are_named(
    campaign: Campaign, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="no campaign 'nope'"):
        call_command("import_odk", "nope", "x.csv", unit="14797")
    with pytest.raises(CommandError, match="not in the campaign"):
        call_command("import_odk", "quay-2025", "x.csv", unit="99999")
    with pytest.raises(CommandError, match="no questionnaire 'nope'"):
        call_command("xlsform", "nope", str(tmp_path / "x.xlsx"))


def test_a_receipt_drawn_again_or_twice_is_drawn_anew_and_the_batch_is_stored(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    import itertools

    from hailong.collection import services
    from hailong.collection.services import Incoming, responses_import

    unit = Unit.objects.get(code="14797")

    def batch(prefix: str) -> list[Incoming]:
        return [
            Incoming(key=f"{prefix}-{i}", submitted_at=None, answers={"tong_the": 4})
            for i in range(5)
        ]

    responses_import(campaign=campaign, unit=unit, incoming=batch("a"), source="import",
                     collection_mode="interview")  # fmt: skip
    taken = Response.objects.values_list("receipt", flat=True).first()
    fresh = (f"2025-TEST-{n:04d}-0X" for n in itertools.count())
    # the stored receipt, the same new one twice, then fresh ones
    draws = itertools.chain([taken, "2025-SAME-SAME-0X", "2025-SAME-SAME-0X"], fresh)
    monkeypatch.setattr(services, "receipt_new", lambda year: next(draws))
    report = responses_import(campaign=campaign, unit=unit, incoming=batch("b"),
                              source="import", collection_mode="interview")  # fmt: skip
    assert report.stored == 5
    receipts = list(Response.objects.filter(idempotency_key__startswith="b-").values_list(
        "receipt", flat=True))  # fmt: skip
    assert len(set(receipts)) == 5 and taken not in receipts and "2025-SAME-SAME-0X" in receipts


def test_a_random_source_that_repeats_itself_is_an_error_not_a_hang(
    campaign: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hailong.collection import services

    monkeypatch.setattr(services, "receipt_new", lambda year: "2025-SAME-SAME-0X")
    assert services.receipts_unused(2025, 1) == ["2025-SAME-SAME-0X"]
    assert services.receipts_unused(2025, 0) == []
    with pytest.raises(RuntimeError, match="1 receipts still clash"):
        services.receipts_unused(2025, 2)


def test_answers_stored_before_get_their_filing_channel_from_the_questionnaire(
    campaign: Campaign,
) -> None:
    """Migration 0008: what the respondent answered to hinh_thuc_nop, where nothing was stored."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module(
        "hailong.collection.migrations.0008_filing_channel_from_answers"
    )
    unit = Unit.objects.get(code="14797")
    long_ago = timezone.now() - dt.timedelta(days=30)
    made = {}
    for key, profile, channel in [("web", {"hinh_thuc_nop": 2}, ""), ("api", {"hinh_thuc_nop": 1},
                                  "postal"), ("silent", {}, ""), ("odd", {"hinh_thuc_nop": 7}, "")]:  # fmt: skip
        made[key] = Response.objects.create(
            receipt=f"2025-{key}", idempotency_key=key, campaign=campaign,
            instrument=campaign.instrument, unit=unit, source="web", collection_mode="online",
            submitted_at=long_ago, answers={"tong_the": 4}, profile=profile, filing_channel=channel,
        )  # fmt: skip
    Response.objects.update(changed_at=long_ago)
    migration.channels_fill(apps, None)
    after = {r.idempotency_key: r for r in Response.objects.all()}
    assert after["web"].filing_channel == "online_full" and after["web"].changed_at > long_ago
    assert after["api"].filing_channel == "postal"  # a channel given is kept
    assert after["silent"].filing_channel == after["odd"].filing_channel == ""
    assert after["silent"].changed_at == long_ago  # rows not changed are not read again
