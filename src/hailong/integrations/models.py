"""Integrating systems (the one-stop software, kiosks) and the API keys they call hailong with."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hailong.units.models import Unit


class Scope(models.TextChoices):
    """What a key may do; a key holds a list of them."""

    INVITATIONS_WRITE = "invitations:write", _("Create invitation codes")
    INVITATIONS_READ = "invitations:read", _("Read invitation codes")
    ANSWERS_WRITE = "answers:write", _("Submit answers")
    RECEIPTS_READ = "receipts:read", _("Read receipts")


class ApiKey(models.Model):
    """A key of one integrating system, limited to some units (or the whole province).

    Only the SHA-256 of the full key is stored: the key (``hl_<prefix>_<secret>``) is shown
    once when it is made. The prefix is kept in clear so that a key can be recognised in
    lists and logs without being usable.
    """

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Example: Hệ thống một cửa điện tử tỉnh")
    )
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    whole_province = models.BooleanField(
        _("whole province"), default=False, help_text=_("Tick to allow every unit")
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("units"),
        blank=True,
        related_name="+",
        help_text=_("The key acts for these units and every unit below them"),
    )
    scopes = models.JSONField(
        _("permissions"),
        default=list,
        blank=True,
        help_text=_('Example: ["invitations:write", "receipts:read"]'),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (hl_{self.prefix}_…)"

    def units_in_scope(self) -> models.QuerySet[Unit]:
        """Units the key may act for: each of its units and their subtrees."""
        if self.whole_province:
            return Unit.objects.all()
        condition = models.Q()
        paths = [u.path for u in self.units.all()]
        if not paths:
            return Unit.objects.none()
        for path in paths:
            condition |= models.Q(path__startswith=path)
        return Unit.objects.filter(condition)
