"""Users and their roles, each role scoped to a unit subtree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("System administrator")
    COORDINATOR = "coordinator", _("Province coordinator")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    CLERK = "clerk", _("Clerk / enumerator")
    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """A person who signs in to the back office; what they may do comes from their roles."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class RoleAssignment(models.Model):
    """A role held over a unit and everything below it (no unit: the whole province)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty for the whole province"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_once_per_unit"),
        ]

    def __str__(self) -> str:
        scope = self.unit.name if self.unit else _("whole province")
        return f"{self.user} – {self.get_role_display()} – {scope}"

    def clean(self) -> None:
        if self.role == Role.UNIT_MANAGER and self.unit_id is None:
            raise ValidationError(
                {"unit": _("A unit manager needs a unit; the whole province is a coordinator's.")}
            )


class SignInAttempt(models.Model):
    """One try at the password or the second step; the lockout counts these across processes.

    The network address is kept only as the day's keyed hash (``collection.integrity``).
    """

    username = models.CharField(_("username"), max_length=150, db_index=True)
    client_hash = models.CharField(_("address hash"), max_length=32, db_index=True)
    at = models.DateTimeField(_("at"), db_index=True)
    ok = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M:%S} {'ok' if self.ok else '×'}"


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238); usable once confirmed with a code."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp"
    )
    secret = models.CharField(_("secret (base32)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last time step used"), default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost; only its SHA-256 is kept."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} {self.code_hash[:8]}"
