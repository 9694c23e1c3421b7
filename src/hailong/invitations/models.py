"""One-time invitation codes, each for one completed file (hồ sơ)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import code_display


class InvitationCode(models.Model):
    """A code handed over with a file's result; it lets its holder answer once, verified.

    The answer writer sets ``used_at`` and ``receipt`` in the same transaction as the
    answer, with ``UPDATE … WHERE code = %s AND used_at IS NULL``, so a code is never
    used twice even by two writers at once.
    """

    code = models.CharField(_("code"), max_length=16, unique=True, editable=False)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.PROTECT
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    service = models.ForeignKey(
        "units.Service",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    file_number = models.CharField(
        _("file number"), max_length=64, help_text=_("Mã hồ sơ, e.g. 000.00.38.H56-250304-0001")
    )
    completed_on = models.DateField(_("result handed over on"))
    expires_on = models.DateField(_("valid until"))
    batch = models.CharField(_("batch"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_key = models.ForeignKey(
        "integrations.ApiKey",
        verbose_name=_("created by API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        ordering = ["-created_at", "file_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "file_number"], name="invitation_file_once"
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("completed_on")),
                name="invitation_expires_after_completion",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "unit"], name="invitation_campaign_unit")]

    def __str__(self) -> str:
        return code_display(self.code)

    @property
    def display(self) -> str:
        return code_display(self.code)
