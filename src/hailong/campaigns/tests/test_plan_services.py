"""Plan changes refuse bad input whole and leave an audit entry when they succeed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.audit.models import AuditEntry
from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.campaigns.services import (
    PlanError,
    campaign_create,
    campaign_settings_update,
    quotas_apply,
    quotas_by_kind,
    scope_set,
    volumes_import,
    volumes_read,
    volumes_set,
)
from hailong.core.imports import ImportRejected
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Campaign:
    builtin_instruments_load()
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    Unit.objects.create(code="SNV", name="Sở Nội vụ", kind=UnitKind.DEPARTMENT, parent=province)
    Unit.objects.create(code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province)
    Unit.objects.create(code="16000", name="Xã Nga Sơn", kind=UnitKind.COMMUNE, parent=province)
    Unit.objects.create(
        code="OLD", name="Xã cũ", kind=UnitKind.COMMUNE, parent=province,
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 6, 30),
    )  # fmt: skip
    return campaign_create(
        code="sipas-2026", name="Khảo sát 2026", year=2026,
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province"),
        period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 12, 20),
        min_answers=30, confidence=Decimal("0.95"), actor_label="test",
    )  # fmt: skip


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_scope_takes_current_units_of_chosen_subtrees_and_kinds(draft: Campaign) -> None:
    province = Unit.objects.get(code="38")
    assert scope_set(campaign=draft, roots=[province], kinds=["commune", "ward"]) == 2
    assert set(draft.scope.values_list("unit__code", flat=True)) == {"14797", "16000"}
    cu = draft.scope.get(unit__code="14797")
    cu.quota = 77
    cu.save()
    assert scope_set(campaign=draft, roots=[province]) == 3  # the province itself is not a unit
    assert draft.scope.get(unit__code="14797").quota == 77  # a unit staying keeps its quota
    assert actions() == ["campaign.create", "campaign.scope", "campaign.scope"]


def test_a_scope_with_no_unit_or_after_opening_is_refused(draft: Campaign) -> None:
    with pytest.raises(PlanError, match="contains no unit"):
        scope_set(campaign=draft, roots=[Unit.objects.get(code="SNV")], kinds=["ward"])
    draft.status = Campaign.Status.OPEN
    draft.save()
    with pytest.raises(PlanError, match="only while the campaign is a draft"):
        scope_set(campaign=draft, roots=[Unit.objects.get(code="38")])
    assert not draft.scope.exists() and actions() == ["campaign.create"]


def test_typed_files_and_quotas_are_logged_and_bad_ones_change_nothing(draft: Campaign) -> None:
    scope_set(campaign=draft, roots=[Unit.objects.get(code="38")])
    ward, commune = Unit.objects.get(code="14797"), Unit.objects.get(code="16000")
    outside = Unit.objects.get(code="OLD")
    assert volumes_set(campaign=draft, files={ward: 400, commune: 90}) == 2
    with pytest.raises(PlanError, match="not in the campaign's scope"):
        volumes_set(campaign=draft, files={ward: 1, outside: 5})
    with pytest.raises(PlanError, match="negative files"):
        volumes_set(campaign=draft, files={ward: -1})
    with pytest.raises(PlanError, match="quotas exceed the files available: Xã Nga Sơn"):
        quotas_apply(campaign=draft, planned={ward: 200, commune: 150})
    with pytest.raises(PlanError, match="the plan names no unit"):
        quotas_apply(campaign=draft, planned={})
    with pytest.raises(PlanError, match="not in the campaign's scope"):
        quotas_apply(campaign=draft, planned={outside: 5})
    assert set(draft.scope.values_list("quota", flat=True)) == {0}
    assert draft.scope.get(unit=ward).completed_files == 400
    quotas_apply(campaign=draft, planned={ward: 200, commune: 80}, actor_label="test")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "campaign.quotas_apply"
    assert entry.data["quotas"] == {"14797": [0, 200], "16000": [0, 80]}
    assert actions().count("campaign.volumes_set") == 1


def test_quotas_by_kind_refuse_kinds_absent_and_quotas_above_the_files(draft: Campaign) -> None:
    scope_set(campaign=draft, roots=[Unit.objects.get(code="38")])
    volumes_set(campaign=draft, files={Unit.objects.get(code="16000"): 100})
    with pytest.raises(PlanError, match="no unit of kind: special_zone"):
        quotas_by_kind(campaign=draft, per_kind={"special_zone": 10})
    with pytest.raises(PlanError, match="exceed the files available"):
        quotas_by_kind(campaign=draft, per_kind={"commune": 150, "ward": 200})
    assert set(draft.scope.values_list("quota", flat=True)) == {0}
    quotas_by_kind(campaign=draft, per_kind={"commune": 100, "ward": 200})
    assert draft.scope.get(unit__code="14797").quota == 200
    assert actions()[-1] == "campaign.quotas_by_kind"


def test_an_import_row_naming_an_unknown_unit_changes_nothing(
    draft: Campaign, tmp_path: Path
) -> None:
    scope_set(campaign=draft, roots=[Unit.objects.get(code="38")])
    path = tmp_path / "volumes.csv"
    path.write_text("unit,files\n14797,300\nXYZ,40\n", encoding="utf-8")
    read = volumes_read(campaign=draft, path=path)
    assert [(p.row, p.column) for p in read.problems] == [(3, "unit")]
    with pytest.raises(ImportRejected):
        volumes_import(campaign=draft, path=path)
    assert not draft.scope.filter(completed_files__isnull=False).exists()
    path.write_text("unit,files\n14797,300\n16000,120\nSNV,0\n", encoding="utf-8")
    assert volumes_import(campaign=draft, path=path, actor_label="test") == 3
    assert draft.scope.get(unit__code="16000").completed_files == 120
    assert actions()[-1] == "campaign.volumes_import"


def test_settings_are_checked_and_logged_and_a_published_plan_is_frozen(draft: Campaign) -> None:
    start, end = draft.period_start, draft.period_end
    with pytest.raises(PlanError, match="unknown channels: fax"):
        campaign_settings_update(
            campaign=draft, channels=["web", "fax"], period_start=start, period_end=end,
            min_answers=30,
        )  # fmt: skip
    with pytest.raises(PlanError, match="before the start date"):
        campaign_settings_update(
            campaign=draft, channels=["web"], period_start=end, period_end=start, min_answers=30
        )
    changed = campaign_settings_update(
        campaign=draft, channels=["qr", "web"], period_start=start, period_end=end, min_answers=50
    )
    draft.refresh_from_db()
    assert changed == ["channels", "min_answers"] and draft.channels == ["web", "qr"]
    assert actions()[-1] == "campaign.settings"
    draft.status = Campaign.Status.PUBLISHED
    draft.save()
    CampaignUnit.objects.create(campaign=draft, unit=Unit.objects.get(code="SNV"))
    with pytest.raises(PlanError, match="is published"):
        quotas_by_kind(campaign=draft, per_kind={"department": 5})


def test_a_second_campaign_with_the_same_code_is_refused(draft: Campaign) -> None:
    with pytest.raises(PlanError, match="already exists"):
        campaign_create(
            code="sipas-2026", name="x", year=2026, instrument=draft.instrument,
            period_start=draft.period_start, period_end=draft.period_end,
        )  # fmt: skip
    assert Campaign.objects.count() == 1


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    files=st.lists(st.one_of(st.none(), st.integers(0, 400)), min_size=2, max_size=2),
    per_kind=st.dictionaries(
        st.sampled_from(["commune", "ward"]), st.integers(-5, 500), min_size=1
    ),
)
def test_quotas_never_exceed_the_files_and_a_refusal_changes_nothing(
    draft: Campaign, files: list[int | None], per_kind: dict[str, int]
) -> None:
    if not draft.scope.exists():
        scope_set(campaign=draft, roots=[Unit.objects.get(code="38")], kinds=["commune", "ward"])
    ward, commune = Unit.objects.get(code="14797"), Unit.objects.get(code="16000")
    volumes_set(campaign=draft, files={ward: files[0], commune: files[1]})
    before = dict(draft.scope.values_list("unit__code", "quota"))
    logged = AuditEntry.objects.count()
    try:
        quotas_by_kind(campaign=draft, per_kind=per_kind)
    except PlanError:
        assert dict(draft.scope.values_list("unit__code", "quota")) == before
        assert AuditEntry.objects.count() == logged
    else:
        for cu in draft.scope.filter(unit__kind__in=per_kind):
            assert cu.quota == per_kind[cu.unit.kind] >= 0
            assert cu.completed_files is None or cu.quota <= cu.completed_files
        assert AuditEntry.objects.count() == logged + 1
