"""Users and their roles, each role scoped to a unit subtree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
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
