"""Whatever steps anyone tries in whatever order, a case moves only along the lifecycle's
edges, and a refused step leaves the case, its steps and the audit log as they were."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.accounts.models import User
from hailong.audit.models import AuditEntry
from hailong.cases.models import Case
from hailong.cases.services import (
    CaseRefused,
    case_answer,
    case_assign,
    case_close,
    case_consent,
    case_reopen,
    case_start,
    case_submit,
)
from hailong.units.models import Unit

pytestmark = pytest.mark.django_db

EDGES = {
    "assign": ({"received", "assigned", "in_progress"}, "assigned"),
    "start": ({"assigned"}, "in_progress"),
    "answer": ({"in_progress"}, "answered"),
    "close": ({"answered"}, "closed"),
    "reopen": ({"answered", "closed"}, "in_progress"),
}
STEPS = st.lists(
    st.tuples(
        st.sampled_from([*EDGES, "consent"]),
        st.sampled_from(["manager", "manager2", "coordinator", "auditor", "clerk"]),
        st.sampled_from(["Đã xử lý xong", "", " " * 3, "x" * 2001]),
    ),
    max_size=12,
)


def attempt(step: str, *, actor: User, case: Case, unit: Unit, text: str) -> None:
    if step == "assign":
        case_assign(actor=actor, case=case, unit=unit)
    elif step == "start":
        case_start(actor=actor, case=case)
    elif step == "answer":
        case_answer(actor=actor, case=case, answer=text)
    elif step == "close":
        case_close(actor=actor, case=case)
    elif step == "reopen":
        case_reopen(case=case, reason=text)
    else:
        case_consent(case=case, side="unit", agree=True, actor=actor)


def state(case: Case) -> tuple[object, ...]:
    row = Case.objects.values_list(
        "status", "unit_id", "answer", "published", "sender_consent", "unit_consent"
    ).get(pk=case.pk)
    return (*row, case.events.count(), AuditEntry.objects.count())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_only_lifecycle_edges_and_refusals_change_nothing(
    wards: tuple[Unit, Unit], staff: dict[str, User], steps: list[tuple[str, str, str]]
) -> None:
    case = case_submit(unit=wards[0], kind="complaint", text="Chờ lâu")
    for step, who, text in steps:
        actor = staff[who]
        before = state(case)
        try:
            attempt(step, actor=actor, case=case, unit=wards[0], text=text)
        except CaseRefused:
            assert state(case) == before
            continue
        after = state(case)
        assert after[-2] == before[-2] + 1  # one step recorded
        if step in EDGES:
            sources, target = EDGES[step]
            assert before[0] in sources and after[0] == target
        else:
            assert after[0] == before[0]
        published = Case.objects.get(pk=case.pk)
        assert published.published == (
            published.sender_consent
            and published.unit_consent
            and published.status in ("answered", "closed")
        )
