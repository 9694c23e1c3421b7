"""Daily visit totals of the public portal, and today's keyed visitor hashes.

No address and no cookie is ever stored: a visitor is a keyed hash of (address, browser)
under the day's random salt (``collection.ClientSalt``); the hashes of a day are deleted
when the next day starts, and the salt itself two days later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitDay(models.Model):
    day = models.DateField(_("day"), primary_key=True)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    views = models.PositiveIntegerField(_("page views"), default=0)

    class Meta:
        verbose_name = _("visits of a day")
        verbose_name_plural = _("visits per day")
        ordering = ["-day"]

    def __str__(self) -> str:
        return self.day.isoformat()


class VisitorSeen(models.Model):
    """One visitor already counted today (a keyed hash, deleted at the day's end)."""

    day = models.DateField(_("day"))
    key = models.CharField(_("keyed hash"), max_length=32)

    class Meta:
        verbose_name = _("visitor counted today")
        verbose_name_plural = _("visitors counted today")
        constraints = [
            models.UniqueConstraint(fields=["day", "key"], name="visitorseen_day_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.key[:8]}"
