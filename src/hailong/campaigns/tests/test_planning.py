"""File volumes, quotas from the planner, and weighting answers to the volumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hailong.campaigns.models import Campaign, FileVolume
from hailong.campaigns.services import (
    PlanError,
    quotas_apply,
    quotas_by_kind,
    quotas_propose,
    volumes_import,
)
from hailong.collection.models import Response
from hailong.core.imports import ImportRejected
from hailong.demo.services import campaign_create, structure_load
from hailong.measurement.sampling import cochran
from hailong.results.services import campaign_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    return campaign_create(root=structure_load())


def volumes_file(tmp_path: Path, campaign: Campaign, files: int = 800) -> Path:
    lines = ["unit,files"] + [
        f"{cu.unit.code},{files + i}" for i, cu in enumerate(campaign.scope.select_related("unit"))
    ]
    path = tmp_path / "volumes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_volumes_give_each_unit_its_completed_files(campaign: Campaign, tmp_path: Path) -> None:
    assert volumes_import(campaign=campaign, path=volumes_file(tmp_path, campaign)) == 181
    assert not campaign.scope.filter(completed_files__isnull=True).exists()
    assert FileVolume.objects.filter(campaign=campaign, dimension="total").count() == 181


def test_a_bad_volume_file_changes_nothing_and_names_every_problem(
    campaign: Campaign, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("unit,files\n14797,120\nNOPE,5\n14797,9\nSNV,-3\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        volumes_import(campaign=campaign, path=path)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (3, "unit"),
        (4, "unit"),
        (5, "files"),
    }
    assert not FileVolume.objects.exists()


def test_quotas_reach_each_units_own_precision(campaign: Campaign, tmp_path: Path) -> None:
    volumes_import(campaign=campaign, path=volumes_file(tmp_path, campaign))
    planned = quotas_propose(campaign=campaign, margin=0.1)
    some = campaign.scope.select_related("unit").first()
    assert some is not None
    assert planned[some.unit] == max(30, cochran(0.1, population=some.completed_files))
    assert quotas_apply(campaign=campaign, planned=planned) == 181
    some.refresh_from_db()
    assert some.quota == planned[some.unit]


def test_planning_without_volumes_or_beyond_the_files_is_refused(campaign: Campaign) -> None:
    with pytest.raises(PlanError, match="completed files are missing for 181 units"):
        quotas_propose(campaign=campaign)
    scope = campaign.scope.select_related("unit").first()
    assert scope is not None
    scope.completed_files = 10
    scope.save()
    with pytest.raises(PlanError, match="exceed the files available"):
        quotas_apply(campaign=campaign, planned={scope.unit: 50})
    empty = Campaign.objects.create(
        code="empty", name="Trống", year=2025, instrument=campaign.instrument,
        period_start=campaign.period_start, period_end=campaign.period_end,
    )  # fmt: skip
    with pytest.raises(PlanError, match="no unit in scope"):
        quotas_propose(campaign=empty)


def test_quotas_by_unit_kind_are_one_call(campaign: Campaign) -> None:
    quotas_by_kind(campaign=campaign, per_kind={"commune": 150, "ward": 200})
    assert set(campaign.scope.filter(unit__kind="commune").values_list("quota", flat=True)) == {150}
    assert set(campaign.scope.filter(unit__kind="ward").values_list("quota", flat=True)) == {200}


def test_the_plan_command_shows_then_applies(
    campaign: Campaign, tmp_path: Path, capsys: Any
) -> None:
    volumes_import(campaign=campaign, path=volumes_file(tmp_path, campaign))
    before = sorted(campaign.scope.values_list("quota", flat=True))
    call_command("plan", "sipas-2024", "--margin", "0.1")
    assert "Tổng / total" in capsys.readouterr().out
    assert sorted(campaign.scope.values_list("quota", flat=True)) == before  # shown, not saved
    call_command("plan", "sipas-2024", "--per-kind", "commune=150,ward=200", "--apply")
    with pytest.raises(CommandError, match="kind=number"):
        call_command("plan", "sipas-2024", "--per-kind", "commune=lots")


@pytest.mark.django_db(transaction=True)
def test_weighting_restores_the_file_mix_of_each_unit(
    campaign: Campaign, tmp_path: Path, settings: Any
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "a.duckdb"
    unit = campaign.scope.select_related("unit").first().unit  # type: ignore[union-attr]
    # 40 answers at the desk, all satisfied; 10 online, none satisfied.
    for i in range(50):
        channel, value = ("in_person", 5) if i < 40 else ("online_full", 1)
        Response.objects.create(
            receipt=f"W-{i}", idempotency_key=f"w-{i}", campaign=campaign, instrument=campaign.instrument, unit=unit,
            source="web", collection_mode="online", filing_channel=channel,
            submitted_at=campaign.created_at, answers={"f1_1": value},
        )  # fmt: skip
    unweighted = campaign_compute(campaign=campaign).rows.get(
        grouping="unit", unit=unit, level="item", code="f1_1"
    )
    assert unweighted.index == pytest.approx(80.0)
    campaign.weighting = "channel"
    campaign.save()
    path = tmp_path / "channels.csv"
    path.write_text(
        f"unit,channel,files\n{unit.code},in_person,300\n{unit.code},online_full,700\n",
        encoding="utf-8",
    )
    volumes_import(campaign=campaign, path=path)
    computation = campaign_compute(campaign=campaign)
    weighted = computation.rows.get(grouping="unit", unit=unit, level="item", code="f1_1")
    assert weighted.index == pytest.approx(
        30.0
    )  # 30% of files at the desk × 100% + 70% online × 0%
    report = computation.settings["weights"][str(unit.pk)]
    assert report["n"] == 50 and report["n_eff"] < 50
    assert weighted.n_eff == pytest.approx(report["n_eff"], rel=1e-3)


@pytest.mark.django_db(transaction=True)
def test_answers_in_a_channel_without_files_are_named_not_weighted(
    campaign: Campaign, tmp_path: Path, settings: Any
) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "a.duckdb"
    unit = campaign.scope.select_related("unit").first().unit  # type: ignore[union-attr]
    Response.objects.create(
        receipt="P-1", idempotency_key="p-1", campaign=campaign, instrument=campaign.instrument, unit=unit,
        source="paper", collection_mode="paper", filing_channel="postal", submitted_at=campaign.created_at,
        answers={"f1_1": 4},
    )  # fmt: skip
    campaign.weighting = "channel"
    campaign.save()
    path = tmp_path / "channels.csv"
    path.write_text(f"unit,channel,files\n{unit.code},in_person,300\n", encoding="utf-8")
    volumes_import(campaign=campaign, path=path)
    from hailong.measurement.weighting import WeightingError

    with pytest.raises(WeightingError, match="postal"):
        campaign_compute(campaign=campaign)
    with pytest.raises(CommandError, match="postal"):  # the command says it in one message
        call_command("compute", campaign.code)


@pytest.mark.django_db(transaction=True)
def test_a_recomputation_says_when_the_published_snapshot_used_an_earlier_method(
    campaign: Campaign, tmp_path: Path, settings: Any
) -> None:
    from hailong.campaigns.services import campaign_recompute
    from hailong.demo.services import answers_load
    from hailong.results.models import Computation
    from hailong.results.services import METHOD, campaign_publish

    settings.HAILONG_ANALYTICS_PATH = tmp_path / "a.duckdb"
    answers_load(campaign=campaign, total=300, progress=lambda n: None)
    campaign_compute(campaign=campaign)
    campaign_publish(campaign=campaign)
    campaign.status = Campaign.Status.PUBLISHED
    campaign.save()
    same = campaign_recompute(campaign=campaign)
    assert same.matches and not same.method_changed and same.method == METHOD
    published = Computation.objects.get(campaign=campaign, published_at__isnull=False)
    published.settings = {k: v for k, v in published.settings.items() if k != "method"}
    published.save()  # as published before methods were versioned
    older = campaign_recompute(campaign=campaign)
    assert older.method_changed and older.published_method == ""
