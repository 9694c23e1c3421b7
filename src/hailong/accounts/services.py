"""Writing accounts: users, roles, locks, passwords and authenticators.

Every change an administrator or coordinator makes goes through one function here, each with
one place where the audit log records who did what.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from hailong.audit.services import audit_record
from hailong.units.models import Unit

from . import totp
from .lockout import lockout_clear
from .models import RecoveryCode, Role, RoleAssignment, TotpDevice, User
from .selectors import MANAGER_ROLES, units_in_scope, user_is_administrator, user_manageable

RECOVERY_CODES = 10


class ManageError(Exception):
    """A refused change, said in Vietnamese and English, naming the field when there is one."""

    def __init__(self, vi: str, en: str, field: str | None = None) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en, self.field = vi, en, field


PASSWORD_SYMBOLS = "23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"  # noqa: S105 - no 0 O o 1 I l


def password_new() -> str:
    """A strong random password to read out or copy by hand: 20 symbols (115 bits) in groups
    of five, without the look-alikes 0/O/o and 1/I/l."""
    symbols = "".join(secrets.choice(PASSWORD_SYMBOLS) for _ in range(20))
    return "-".join(symbols[i : i + 5] for i in range(0, 20, 5))


@transaction.atomic
def user_password_change(*, user: User, password: str) -> None:
    """The user's own new password (already validated), in the audit log with the change.

    A generated password was read out by a coordinator: the person replaces it with one only
    they know.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action="user.password_change", actor=user, obj=user, unit=_unit_of(user))


@transaction.atomic
def admin_create(
    *, username: str, email: str = "", password: str | None = None
) -> tuple[User, str]:
    """Create a superuser with the administrator role; generate a password if none is given."""
    password = password or password_new()
    user = User.objects.create_superuser(username=username, email=email, password=password)
    RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR, unit=None)
    return user, password


def _check_grant(*, actor: User, role: str, unit: Unit | None) -> None:
    if role not in Role.values:
        raise ManageError("Vai trò không hợp lệ", "unknown role", "role")
    if role == Role.ADMINISTRATOR and not user_is_administrator(user=actor):
        raise ManageError(
            "Chỉ quản trị hệ thống mới giao được vai trò quản trị hệ thống",
            "only a system administrator may grant the administrator role",
            "role",
        )
    if role == Role.UNIT_MANAGER and unit is None:  # it would read every unit's senders
        raise ManageError(
            "Lãnh đạo đơn vị phải gắn với một đơn vị: hãy chọn đơn vị "
            "(toàn tỉnh là vai trò điều phối viên)",
            "a unit manager needs a unit: choose one (the whole province is the coordinator's "
            "role)",
            "unit",
        )
    if user_is_administrator(user=actor):
        return
    if unit is None:
        if not actor.roles.filter(role__in=MANAGER_ROLES, unit__isnull=True).exists():
            raise ManageError(
                "Bạn chỉ giao được vai trò trong đơn vị của mình: hãy chọn đơn vị",
                "you may grant roles only within your units: choose a unit",
                "unit",
            )
    elif not units_in_scope(user=actor, roles=MANAGER_ROLES).filter(pk=unit.pk).exists():
        raise ManageError(
            f"Đơn vị {unit.name} ngoài phạm vi của bạn",
            f"unit {unit.name} is outside your units",
            "unit",
        )


def _check_manage(*, actor: User, user: User) -> None:
    if not user_manageable(actor=actor, target=user):
        raise ManageError(
            f"Bạn không được thay đổi tài khoản {user.username}",
            f"you may not change the account {user.username}",
        )


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    email: str,
    role: str,
    unit: Unit | None,
) -> tuple[User, str]:
    """Create a staff user holding one role; return it with its generated password (shown once).

    The whole name goes in ``first_name``: Vietnamese names are written family name first.
    """
    username = username.strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ManageError(
            "Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _",
            "a username has only letters, digits and @ . + - _",
            "username",
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ManageError(
            f"Tên đăng nhập {username} đã có", f"the username {username} is taken", "username"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ManageError(
                "Thư điện tử không hợp lệ", "invalid e-mail address", "email"
            ) from None
    _check_grant(actor=actor, role=role, unit=unit)
    password = password_new()
    user = User.objects.create_user(
        username=username, email=email, password=password, first_name=full_name.strip()[:150]
    )
    RoleAssignment.objects.create(user=user, role=role, unit=unit)
    audit_record(action="user.create", actor=actor, obj=user, unit=unit, data={"role": role})
    return user, password


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str, unit: Unit | None) -> RoleAssignment:
    """Give ``user`` one more role over ``unit`` (no unit: the whole province)."""
    _check_manage(actor=actor, user=user)
    _check_grant(actor=actor, role=role, unit=unit)
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
        raise ManageError(
            "Người dùng đã có vai trò này", "the user already holds this role", "role"
        )
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit)
    audit_record(
        action="user.role_grant", actor=actor, obj=assignment, unit=unit, data={"role": role}
    )
    return assignment


@transaction.atomic
def role_remove(*, actor: User, assignment: RoleAssignment) -> None:
    """Take one role away; the same rules as granting it."""
    _check_manage(actor=actor, user=assignment.user)
    _check_grant(actor=actor, role=assignment.role, unit=assignment.unit)
    audit_record(
        action="user.role_revoke",
        actor=actor,
        obj=assignment.user,
        unit=assignment.unit,
        data={"role": assignment.role},
    )
    assignment.delete()


def _unit_of(user: User) -> Unit | None:
    """The one unit all of a user's roles are held over, for the audit log's unit scope (a
    unit's own coordinator reads what was done to that unit's staff); None for a user with a
    province-wide role, roles over several units, or none."""
    units = set(RoleAssignment.objects.filter(user=user).values_list("unit_id", flat=True))
    if len(units) == 1 and None not in units:
        return Unit.objects.get(pk=units.pop())
    return None


@transaction.atomic
def user_password_reset(*, actor: User, user: User) -> str:
    """Give ``user`` a new generated password (shown once) and end the pause on its sign-in."""
    _check_manage(actor=actor, user=user)
    password = password_new()
    user.set_password(password)
    user.save(update_fields=["password"])
    lockout_clear(username=user.username)
    audit_record(action="user.password_reset", actor=actor, obj=user, unit=_unit_of(user))
    return password


@transaction.atomic
def user_lock(*, actor: User, user: User) -> None:
    """Stop ``user`` from signing in (``is_active`` off); their sessions end at the next request."""
    _check_manage(actor=actor, user=user)
    if user.pk == actor.pk:
        raise ManageError("Bạn không thể tự khóa tài khoản của mình", "you cannot lock yourself")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(action="user.lock", actor=actor, obj=user, unit=_unit_of(user))


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> None:
    """Let ``user`` sign in again, forgetting failed attempts that paused their sign-in."""
    _check_manage(actor=actor, user=user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    lockout_clear(username=user.username)
    audit_record(action="user.unlock", actor=actor, obj=user, unit=_unit_of(user))


@transaction.atomic
def totp_device_start(*, user: User) -> TotpDevice:
    """The user's authenticator waiting for confirmation, with a fresh secret if none waits."""
    device, created = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": totp.secret_new()}
    )
    if not created and device.confirmed_at is not None:
        raise ManageError(
            "Tài khoản đã có ứng dụng xác thực", "the account already has an authenticator"
        )
    return device


@transaction.atomic
def totp_device_confirm(*, device: TotpDevice, code: str) -> list[str]:
    """Confirm the authenticator with a code from it; return 10 recovery codes (shown once)."""
    device = TotpDevice.objects.select_for_update().get(pk=device.pk)
    step = totp.totp_match(device.secret, code, last_step=device.last_used_step)
    if not step:
        raise ManageError(
            "Mã xác thực không đúng: hãy nhập 6 chữ số đang hiện trong ứng dụng",
            "wrong code: type the 6 digits the app shows now",
            "code",
        )
    device.confirmed_at, device.last_used_step = timezone.now(), step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    RecoveryCode.objects.filter(user=device.user).delete()
    codes = [totp.recovery_code_new() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=device.user, code_hash=totp.recovery_code_hash(c)) for c in codes
    )
    audit_record(
        action="totp.confirm", actor=device.user, obj=device.user, unit=_unit_of(device.user)
    )
    return codes


@transaction.atomic
def totp_device_remove(*, actor: User, user: User) -> None:
    """Forget a lost authenticator and its recovery codes; the user enrols again."""
    if actor.pk != user.pk:
        _check_manage(actor=actor, user=user)
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(action="totp.remove", actor=actor, obj=user, unit=_unit_of(user))


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> bool:
    """Accept a current authenticator code (once per time step) or an unused recovery code."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return False
    step = totp.totp_match(device.secret, code, last_step=device.last_used_step)
    if step:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return True
    used = RecoveryCode.objects.filter(
        user=user, code_hash=totp.recovery_code_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1
