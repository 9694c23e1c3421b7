"""Kiosks: tablets at a one-stop desk that ask each person leaving for a quick rating."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kiosk(models.Model):
    """A registered device, bound to a unit (and a desk), answering for one of its campaigns.

    The device proves itself with a secret set once as a cookie when it is registered; only
    the secret's SHA-256 is stored. Answers from a kiosk are marked with its name.
    """

    name = models.CharField(_("name"), max_length=200, help_text=_("Example: Ki-ốt quầy 1"))
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    desk = models.ForeignKey(
        "units.Desk", verbose_name=_("desk"), null=True, blank=True, on_delete=models.PROTECT
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Leave empty to use the open quick-rating campaign of the unit"),
    )
    idle_seconds = models.PositiveSmallIntegerField(
        _("reset after idle seconds"), default=45, help_text=_("An unfinished answer is dropped")
    )
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    registration_hash = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["unit__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} – {self.unit}"

    @property
    def device(self) -> str:
        return f"kiosk:{self.prefix}"
