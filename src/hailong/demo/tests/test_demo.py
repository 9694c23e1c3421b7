"""The demo province is realistic: real units, linked procedures, plausible answers."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.progress.alerts import alerts_collect
from hailong.progress.selectors import Scope, board_build
from hailong.units.models import Service, Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def store(settings: Any, tmp_path: Path) -> None:
    settings.HAILONG_ANALYTICS_PATH = tmp_path / "analytics.duckdb"


def share_satisfied(values: list[int]) -> float:
    return 100 * sum(v >= 4 for v in values) / len(values)


def test_demo_builds_a_realistic_province_and_a_second_run_reuses_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", responses=4000, no_serve=True)
    out = capsys.readouterr().out
    assert "admin" in out and "password" in out
    # one account per role to sign in as, with the one password printed once
    import re

    from django.test import Client

    from hailong.cases.models import Case

    password = re.search(r"demo staff, mật khẩu chung / one password \(shown once\): (\S+)", out)
    assert password is not None
    for username in ("dieuphoi", "lanhdao.hacthanh", "lanhdao.syt", "nhaplieu.hacthanh",
                     "lanhdao.tinh", "thanhtra"):  # fmt: skip
        assert username in out
        signed = Client().post("/dang-nhap/", {"username": username, "password": password[1]})
        assert signed.status_code == 302 and signed["Location"] == "/can-bo/", username
    manager = User.objects.get(username="lanhdao.hacthanh")
    assert manager.roles.get().unit.name == "Phường Hạc Thành"
    states = set(Case.objects.values_list("status", flat=True))
    assert {"assigned", "in_progress", "answered", "closed"} <= states, states
    assert Case.objects.filter(published=True).exists()
    assert Case.objects.filter(
        escalated_at__isnull=False
    ).exists()  # overdue, with the coordinators

    assert Unit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD]).count() == 166
    departments = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.SERVICE_CENTRE])
    assert departments.count() == 15
    assert Unit.objects.filter(name="Sở Nội vụ").exists()
    assert Unit.objects.filter(name="Trung tâm Phục vụ hành chính công tỉnh").exists()
    assert Service.objects.filter(level="commune").exists()
    assert all(u.services.exists() for u in Unit.objects.filter(kind=UnitKind.COMMUNE)[:20])

    campaign = Campaign.objects.get(code="sipas-2024")
    assert campaign.scope.count() == 181
    assert campaign.instrument.frozen_at is not None
    form = campaign.instrument.to_core()
    responses = list(Response.objects.filter(campaign=campaign))
    assert len(responses) == 4000
    assert len({r.receipt for r in responses}) == 4000

    by_factor: dict[str, list[int]] = defaultdict(list)
    by_unit: dict[int, list[int]] = defaultdict(list)
    comments = 0
    for r in responses:
        for item in form.items():
            value = r.answers.get(item.code)
            if value is None:
                continue
            assert item.scale.accepts(value)
            if item.show_if is not None:
                assert item.show_if.holds(r.answers), "factor 5 asked without feedback"
            by_factor[item.factor or ""].append(value)
            by_unit[r.unit_id].append(value)
        comments += "y_kien" in r.answers
    overall = share_satisfied([v for values in by_factor.values() for v in values])
    assert 75 <= overall <= 92, overall
    shares = {f: share_satisfied(v) for f, v in by_factor.items()}
    assert min(shares, key=shares.__getitem__) == "F5"
    unit_shares = [share_satisfied(v) for v in by_unit.values() if len(v) >= 200]
    assert statistics.pstdev(unit_shares) > 3, "units should differ as real ones do"
    assert 0.12 < comments / len(responses) < 0.25

    from hailong.results.models import Computation

    computation = Computation.objects.get(campaign=campaign)  # the demo has results to show
    assert computation.n_answers == 4000
    assert computation.rows.filter(grouping="unit", level="overall").count() == 181
    year = timezone.localdate().year
    survey = Campaign.objects.get(code=f"sipas-{year}")  # this year's survey is open now
    assert (
        survey.status == "open" and survey.period_start <= timezone.localdate() <= survey.period_end
    )
    answered = Response.objects.filter(campaign=survey)
    assert answered.count() == 600 + 36 and max(r.submitted_at for r in answered) <= timezone.now()
    board = board_build(campaign=survey, scope=Scope(whole=True, units=Unit.objects.all()))
    kinds = {(a.kind, a.against) for a in alerts_collect(board, whole=True)}
    assert {("jump", "province"), ("burst", "")} <= kinds  # the ward that rates itself
    # the desk form opens on 1 January: that day it has no answers yet (no whole day passed)
    desk_answers = 0 if timezone.localdate() == dt.date(year, 1, 1) else 200
    assert Response.objects.filter(campaign__code=f"quay-{year}").count() == desk_answers
    call_command("demo", responses=4000, no_serve=True)
    assert Response.objects.count() == 4636 + desk_answers
    assert Computation.objects.get(campaign=campaign) == computation  # reused, not recomputed
    assert Unit.objects.count() == 182
    assert User.objects.filter(username="admin").count() == 1
    assert User.objects.filter(username="dieuphoi").count() == 1 and Case.objects.count() == 42
    assert "reusing 4000" in capsys.readouterr().out


def test_demo_refuses_an_absurd_number_of_answers() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--responses"):
        call_command("demo", responses=-5, no_serve=True)


def test_on_new_years_day_the_desk_form_starts_without_answers() -> None:
    """Its period starts on 1 January: no whole day has passed, so none is made up."""
    from hailong.demo.services import answers_load, current_campaigns_create, structure_load
    from hailong.instruments.services import builtin_instruments_load

    builtin_instruments_load()
    new_year = dt.date(2027, 1, 1)
    survey, desk = current_campaigns_create(root=structure_load(), today=new_year)
    assert desk.period_start == new_year
    told: list[int] = []
    eve = new_year - dt.timedelta(days=1)
    assert answers_load(campaign=desk, total=50, progress=told.append, until=eve) == 0
    assert told == [] and not Response.objects.filter(campaign=desk).exists()
    loaded = answers_load(campaign=survey, total=50, progress=told.append, until=eve)
    assert loaded == 50 == Response.objects.filter(campaign=survey).count()  # opened 12 days before
