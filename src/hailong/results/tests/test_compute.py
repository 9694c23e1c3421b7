"""Computing a campaign from the main database (SQLite or PostgreSQL) through the analytics store."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.demo.services import answers_load, campaign_create, structure_load
from hailong.measurement import Instrument
from hailong.measurement.compare import rank
from hailong.results.models import Computation, IndexRow
from hailong.results.services import RANK_CLASS, campaign_compute
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def store(settings: Any, tmp_path: Path) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"


@pytest.fixture
def campaign() -> Campaign:
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=3000, progress=lambda n: None)
    return campaign


def share(values: list[int]) -> float:
    return 100 * sum(v >= 4 for v in values) / len(values)


def plain_overall(form: Instrument, responses: list[Response]) -> float:
    factors = []
    for f in form.factors:
        items = [
            share(vs)
            for q in form.items(f.code)
            if (vs := [r.answers[q.code] for r in responses if q.code in r.answers])
        ]
        factors.append(sum(items) / len(items))
    return sum(factors) / len(factors)


def test_stored_indices_match_a_plain_computation_from_the_answers(campaign: Campaign) -> None:
    campaign.min_answers = 10
    campaign.save()
    computation = campaign_compute(campaign=campaign)
    form = campaign.instrument.to_core()
    assert computation.n_answers == 3000 and computation.instrument == campaign.instrument
    answers = list(Response.objects.filter(campaign=campaign))
    province = computation.rows.get(grouping="province", level="overall")
    assert province.index == pytest.approx(plain_overall(form, answers), abs=1e-9)
    assert province.low < province.index < province.high and province.deff > 1
    unit = (
        computation.rows.filter(grouping="unit", level="overall", enough=True)
        .order_by("-n")
        .first()
    )
    assert unit is not None
    mine = [r for r in answers if r.unit_id == unit.unit_id]
    assert unit.index == pytest.approx(plain_overall(form, mine), abs=1e-9)
    expected_points = (Decimal(repr(unit.index)) * 10 / 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert unit.par_points == expected_points  # 10 of 100 points by default (methodology §4)
    item = computation.rows.get(grouping="unit", unit=unit.unit, level="item", code="f3_1")
    values = [r.answers["f3_1"] for r in mine if "f3_1" in r.answers]
    assert item.n == len(values) and item.share_satisfied == pytest.approx(share(values))
    assert item.distribution == [float(values.count(v)) for v in range(1, 6)]


def test_every_grouping_is_stored_and_small_units_are_never_ranked(campaign: Campaign) -> None:
    campaign.min_answers = 17  # about half the units of this small sample reach it
    campaign.save()
    computation = campaign_compute(campaign=campaign)
    groupings = set(computation.rows.values_list("grouping", flat=True))
    assert {
        "province",
        "unit",
        "unit_kind",
        "unit_level",
        "service",
        "field",
        "source",
        "collection_mode",
        "month",
    } <= groupings
    assert "profile:gioi_tinh" in groupings
    levels = dict(
        computation.rows.filter(grouping="unit_level", level="overall").values_list(
            "group_value", "n"
        )
    )
    assert set(levels) == {"province_agencies", "local"}
    units = computation.rows.filter(grouping="unit", level="overall")
    assert units.filter(enough=False, rank__isnull=False).count() == 0
    ranked = units.filter(rank__isnull=False)
    assert ranked.count() == units.filter(enough=True).count() > 20
    assert units.filter(enough=False).exists()
    assert all(r.rank_low <= r.rank <= r.rank_high for r in ranked)  # type: ignore[operator]
    assert set(computation.rows.filter(grouping="month").values_list("group_value", flat=True)) <= {
        "2024-11",
        "2024-12",
    }


def test_a_second_computation_reads_only_what_changed(campaign: Campaign) -> None:
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Response.objects.update(changed_at=an_hour_ago)  # older than the re-read overlap
    first = campaign_compute(campaign=campaign)
    assert first.settings["synced_rows"] == 3000
    rejected = list(Response.objects.filter(campaign=campaign).values_list("pk", flat=True)[:100])
    Response.objects.filter(pk__in=rejected).update(
        review=Response.Review.REJECTED, changed_at=timezone.now()
    )
    second = campaign_compute(campaign=campaign)
    assert second.settings["synced_rows"] == 100
    assert second.n_answers == 2900  # rejected answers are kept but never reach an index
    # the kept per-unit statistics, updated by difference, give exactly a full recomputation
    assert campaign_compute(campaign=campaign, full=True).digest == second.digest
    assert Computation.objects.filter(campaign=campaign).count() == 1


def test_an_answer_outside_its_scale_never_reaches_an_index(campaign: Campaign) -> None:
    first = campaign_compute(campaign=campaign)
    before = first.rows.get(grouping="province", level="item", code="f1_1")
    template = Response.objects.filter(campaign=campaign).first()
    assert template is not None
    for i, bad in enumerate([9, 0, "năm", [5]]):
        Response.objects.create(
            receipt=f"BAD-{i}", idempotency_key=f"bad-{i}", campaign=campaign, instrument=campaign.instrument,
            unit=template.unit, source="web", collection_mode="online", submitted_at=template.submitted_at,
            answers={"f1_1": bad},
        )  # fmt: skip
    after = campaign_compute(campaign=campaign).rows.get(
        grouping="province", level="item", code="f1_1"
    )
    assert after.n == before.n and after.index == before.index


def test_change_since_last_year_is_computed_for_the_same_questionnaire(campaign: Campaign) -> None:
    last_year = Campaign.objects.create(
        code="sipas-2023", name="Khảo sát 2023", year=2023, instrument=campaign.instrument,
        period_start=dt.date(2023, 11, 1), period_end=dt.date(2023, 12, 15), status=Campaign.Status.PUBLISHED,
    )  # fmt: skip
    last_year.scope.bulk_create(
        [type(s)(campaign=last_year, unit=s.unit, quota=s.quota) for s in campaign.scope.all()]
    )
    for r in Response.objects.filter(campaign=campaign)[:2000]:
        r.pk, r.campaign = None, last_year
        r.receipt, r.idempotency_key = "Y23-" + r.receipt, "y23-" + r.idempotency_key
        r.answers = {k: (max(1, v - 1) if isinstance(v, int) else v) for k, v in r.answers.items()}
        r.save()
    campaign_compute(campaign=last_year)
    now = campaign_compute(campaign=campaign).rows.get(grouping="province", level="overall")
    then = IndexRow.objects.get(
        computation__campaign=last_year, grouping="province", level="overall"
    )
    assert now.previous == pytest.approx(then.index)
    assert now.delta == pytest.approx(now.index - then.index)  # type: ignore[operator]
    assert now.delta_significant is True


def test_the_compute_command_names_unknown_campaigns(campaign: Campaign) -> None:
    with pytest.raises(CommandError, match="sipas-2024"):
        call_command("compute", "sipas-1999")
    call_command("compute", "sipas-2024")
    assert Computation.objects.filter(campaign=campaign).exists()


def test_the_same_answers_give_the_same_content_hash(campaign: Campaign) -> None:
    first = campaign_compute(campaign=campaign).digest
    assert campaign_compute(campaign=campaign, full=True).digest == first


def test_live_figures_take_any_grouping_and_filter(campaign: Campaign) -> None:
    from hailong.results.services import campaign_figures

    unit = Response.objects.filter(campaign=campaign).values_list("unit_id", flat=True).first()
    rows = campaign_figures(campaign=campaign, by=("source",), filters={"unit_id": unit})
    mine = list(Response.objects.filter(campaign=campaign, unit_id=unit))
    for source in {r.source for r in mine}:
        got = next(
            r
            for r in rows
            if r["source"] == source and r["level"] == "item" and r["code"] == "f1_1"
        )
        values = [r.answers["f1_1"] for r in mine if r.source == source and "f1_1" in r.answers]
        assert got["n"] == len(values)
        assert got["index"] == pytest.approx(share(values))
    both = campaign_figures(campaign=campaign, by=("unit_kind", "month"))
    assert {(r["unit_kind"], r["month"]) for r in both} <= {
        (k, m)
        for k in ("commune", "ward", "department", "service_centre")
        for m in ("2024-11", "2024-12")
    }
    with pytest.raises(ValueError, match="cannot group or filter by: password"):
        campaign_figures(campaign=campaign, by=("password",))


def test_par_points_follow_the_rule_set_for_each_unit_kind(campaign: Campaign) -> None:
    campaign.min_answers = 5
    campaign.par_max_points = {
        **campaign.par_max_points,
        "commune": {"max": "20", "formula": "above_floor", "floor": 50},
        "ward": "31.5",
    }
    campaign.full_clean()
    campaign.save()
    rows = campaign_compute(campaign=campaign).rows.filter(
        grouping="unit", level="overall", enough=True
    )
    commune = rows.filter(unit__kind="commune").first()
    ward = rows.filter(unit__kind="ward").first()
    assert commune is not None and ward is not None
    above = (Decimal(repr(commune.index)) - 50) / 50 * 20
    assert commune.par_points == max(Decimal(0), above).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert ward.par_points == (Decimal(repr(ward.index)) * Decimal("31.5") / 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def test_an_unusable_par_rule_is_refused_with_its_unit_kind(campaign: Campaign) -> None:
    from django.core.exceptions import ValidationError

    campaign.par_max_points = {"commune": {"max": "10", "formula": "magic"}}
    with pytest.raises(ValidationError, match="commune"):
        campaign.full_clean()


def plain_mean_of_factors(form: Instrument, responses: list[Response]) -> float | None:
    """The overall index, or none when a factor has no answer at all (a small group may lack one)."""
    factors = []
    for f in form.factors:
        items = [
            share(vs)
            for q in form.items(f.code)
            if (vs := [r.answers[q.code] for r in responses if q.code in r.answers])
        ]
        if not items:
            return None
        factors.append(sum(items) / len(items))
    return sum(factors) / len(factors)


@pytest.mark.parametrize(
    ("grouping", "second"), [("unit_service", "service_id"), ("unit_source", "source")]
)
def test_each_unit_by_procedure_and_by_channel_equals_a_plain_computation(
    campaign: Campaign, grouping: str, second: str
) -> None:
    campaign.min_answers = 8
    campaign.save()
    computation = campaign_compute(campaign=campaign)
    form = campaign.instrument.to_core()
    items = [q.code for q in form.items()]
    groups: dict[str, list[Response]] = {}
    for r in Response.objects.filter(campaign=campaign, review=Response.Review.ACCEPTED):
        value = getattr(r, second)
        groups.setdefault(f"{r.unit_id}|{'' if value is None else value}", []).append(r)
    stored = {r.group_value: r for r in computation.rows.filter(grouping=grouping, level="overall")}
    assert set(stored) == set(groups) and len(groups) > 100
    small = 0
    for value, answers in groups.items():
        row = stored[value]
        assert row.unit_id == int(value.split("|")[0])
        assert row.rank is None and row.par_points is None  # only whole units are ranked
        n = sum(any(q in r.answers for q in items) for r in answers)
        expected = plain_mean_of_factors(form, answers)
        assert row.n == n and row.enough == (n >= 8 and expected is not None)
        small += not row.enough
        assert row.index == (None if expected is None else pytest.approx(expected, abs=1e-9))
        if row.low is not None:
            assert row.low <= row.index <= row.high  # type: ignore[operator]
    assert small > 0  # some groups fall below the minimum and say so
    assert set(computation.rows.filter(grouping=grouping).values_list("level", flat=True)) == {
        "overall"
    }


def test_units_where_everyone_is_satisfied_are_ranked_with_their_intervals(
    campaign: Campaign,
) -> None:
    # every respondent at the top: the linearized se is 0, the interval a Wilson floor; with
    # se = 0 two such units were both "surely first" (rank interval 1–1)
    campaign.min_answers = 15
    campaign.save()
    counts: dict[int, int] = {}
    for unit_id in Response.objects.filter(campaign=campaign).values_list("unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    units = sorted((u for u, n in counts.items() if 15 <= n <= 40), key=lambda u: counts[u])[:2]
    for r in Response.objects.filter(campaign=campaign, unit_id__in=units):
        r.answers = {k: (5 if isinstance(v, int) else v) for k, v in r.answers.items()}
        r.save()
    computation = campaign_compute(campaign=campaign)
    rows = list(computation.rows.filter(grouping="unit", unit_id__in=units, level="overall"))
    assert len(rows) == 2
    for row in rows:
        assert row.index == 100 and row.se is not None and row.se < 1e-6
        assert row.low is not None and 98 < row.low < 100
    # ranked with the uncertainty its interval shows (drawn below 100, never above), not as
    # a fixed point: its rank interval is wider than the one se = 0 gives
    kinds = dict(Unit.objects.values_list("id", "kind"))
    klass = RANK_CLASS[kinds[rows[0].unit_id]]
    members = {
        r.unit_id: (r.index, r.se)
        for r in computation.rows.filter(grouping="unit", level="overall", enough=True)
        if r.index is not None and RANK_CLASS.get(kinds[r.unit_id]) == klass
    }
    fixed = {x.key: x for x in rank(members)}  # type: ignore[arg-type]
    for row in rows:
        assert row.rank == fixed[row.unit_id].rank == 1
        assert row.rank_high is not None and row.rank_high > fixed[row.unit_id].rank_high
