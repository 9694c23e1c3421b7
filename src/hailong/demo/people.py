"""The demo's staff, one account per role, and the complaints and suggestions they handle.

So that whoever opens the demo can sign in as each kind of user (the coordinator at the
Department of Home Affairs, a ward's and a department's managers, a clerk, a leader who reads,
an auditor) and find cases in every state: new, in progress, answered, closed, published and
overdue. The texts are the demo's own comments (``data/comments.yaml``); names and phone
numbers are made up.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import yaml
from django.db import transaction
from django.utils import timezone

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.cases.models import Case
from hailong.cases.services import (
    case_answer,
    case_close,
    case_consent,
    case_start,
    case_submit,
    cases_escalate,
)
from hailong.units.models import Unit, UnitKind

from .services import DATA

# the demo managers' two units (code, kind): a ward of Thanh Hóa and its health department
WARD = ("14797", UnitKind.WARD)
DEPARTMENT = ("SYT", UnitKind.DEPARTMENT)


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    role: str
    unit: tuple[str, str] | None  # (code, kind); None: the whole province
    what: str


STAFF = (
    Person("dieuphoi", "Lê Thị Hồng", Role.COORDINATOR, None,
           "điều phối viên, Sở Nội vụ (toàn tỉnh) / coordinator, whole province"),
    Person("lanhdao.hacthanh", "Nguyễn Văn Minh", Role.UNIT_MANAGER, WARD,
           "lãnh đạo Phường Hạc Thành / manager of a ward"),
    Person("lanhdao.syt", "Trần Thị Thu", Role.UNIT_MANAGER, DEPARTMENT,
           "lãnh đạo Sở Y tế / manager of a department"),
    Person("nhaplieu.hacthanh", "Phạm Thị Lan", Role.CLERK, WARD,
           "cán bộ nhập liệu Phường Hạc Thành / clerk of the ward"),
    Person("lanhdao.tinh", "Hoàng Văn Nam", Role.VIEWER, None,
           "lãnh đạo UBND tỉnh, chỉ xem / province leader, reads only"),
    Person("thanhtra", "Đỗ Minh Tuấn", Role.AUDITOR, None,
           "thanh tra, kiểm tra nhật ký / auditor"),
)  # fmt: skip

ANSWERS = (
    "Kính gửi Ông/Bà,\nĐơn vị đã kiểm tra phản ánh và xin tiếp thu. Từ tuần này bộ phận một cửa "
    "bố trí thêm một cán bộ hướng dẫn vào buổi sáng.\nTrân trọng cảm ơn Ông/Bà đã góp ý.",
    "Kính gửi Ông/Bà,\nHồ sơ của Ông/Bà đã được giải quyết và trả kết quả. Đơn vị đã nhắc nhở cán "
    "bộ liên quan và xin lỗi vì sự chậm trễ.\nMọi thắc mắc xin liên hệ bộ phận một cửa.",
    "Kính gửi Ông/Bà,\nĐơn vị ghi nhận kiến nghị và sẽ đưa vào kế hoạch cải thiện nơi tiếp dân "
    "trong quý tới.\nTrân trọng.",
)
SENDERS = (
    ("Nguyễn Thị Mai", "0912 345 678"),
    ("Lê Văn Hùng", ""),
    ("Trịnh Thị Hoa", "0987 654 321"),
)


def _unit(where: tuple[str, str]) -> Unit | None:
    """The unit of that code, or (another province's demo) the first current one of the kind."""
    code, kind = where
    current = Unit.objects.filter(valid_to__isnull=True)
    return current.filter(code=code).first() or current.filter(kind=kind).order_by("path").first()


@transaction.atomic
def staff_create(*, password: str) -> list[tuple[Person, User]]:
    """One account per role (:data:`STAFF`), all with ``password``; existing ones are kept."""
    made = []
    for person in STAFF:
        if User.objects.filter(username=person.username).exists():
            continue
        unit = _unit(person.unit) if person.unit is not None else None
        if person.unit is not None and unit is None:
            continue  # a province without wards or departments: no such person
        user = User.objects.create_user(  # the whole name in first_name, as user_create does
            person.username, password=password, first_name=person.full_name
        )
        RoleAssignment.objects.create(user=user, role=person.role, unit=unit)
        made.append((person, user))
    return made


def cases_load(*, seed: int = 2024) -> int:
    """About forty cases over the last seven weeks, most at the demo managers' two units.

    Submitted on their past days, handled now by the unit's manager (so the steps carry today's
    time), some left new or in progress, a few overdue and escalated to the coordinators.
    """
    if Case.objects.exists():
        return 0
    rng = random.Random(seed)
    texts = yaml.safe_load((DATA / "comments.yaml").read_text(encoding="utf-8"))
    ward, department = _unit(WARD), _unit(DEPARTMENT)
    managers = {
        a.unit_id: a.user
        for a in RoleAssignment.objects.filter(role=Role.UNIT_MANAGER).select_related("user")
    }
    others = list(
        Unit.objects.filter(valid_to__isnull=True, kind__in=(UnitKind.COMMUNE, UnitKind.WARD))
        .order_by("path")
        .values_list("pk", flat=True)[:40]
    )
    now = timezone.now()
    made = 0
    for i in range(42):
        unit = ward if i % 3 == 0 else department if i % 3 == 1 else None
        unit = unit or Unit.objects.get(pk=rng.choice(others))
        kind = "complaint" if rng.random() < 0.65 else "suggestion"
        name, phone = rng.choice(SENDERS) if rng.random() < 0.4 else ("", "")
        days = rng.randint(0, 48)
        case = case_submit(
            unit=unit, kind=kind, text=rng.choice(texts[kind]), name=name, phone=phone,
            consent=rng.random() < 0.5, now=now - dt.timedelta(days=days, hours=rng.randint(0, 8)),
        )  # fmt: skip
        made += 1
        manager = managers.get(unit.pk)
        if manager is None or days < 3 or rng.random() < 0.2:
            continue  # new, or at a unit without a demo manager, or overdue when old enough
        case = case_start(actor=manager, case=case)
        if rng.random() < 0.25:
            continue  # in progress
        case = case_answer(actor=manager, case=case, answer=rng.choice(ANSWERS))
        if case.sender_consent:
            case = case_consent(case=case, side="unit", agree=True, actor=manager)
        if days > 20 and rng.random() < 0.6:
            case_close(actor=manager, case=case)
    cases_escalate(now=now)
    return made
