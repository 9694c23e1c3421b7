"""Paper forms typed in by clerks: bundles (batches) of sheets, each sheet typed once or twice.

A sheet becomes a stored answer (``collection.Response``) only when its copies agree, or when
a third person has resolved their differences; the resolution is kept as an audit record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperBatch(models.Model):
    """A bundle of paper forms of one unit, numbered as written on the bundle."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="paper_batches",
    )
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    number = models.CharField(
        _("batch number"), max_length=20, help_text=_("As written on the bundle, e.g. 07/2025")
    )
    expected_sheets = models.PositiveIntegerField(_("sheets expected"))
    double_entry = models.BooleanField(
        _("double entry"),
        default=True,
        help_text=_("Every sheet is typed by two different clerks and compared"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper batch")
        verbose_name_plural = _("paper batches")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "number"], name="paper_batch_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.number}"

    def key(self, sheet_number: int) -> str:
        """The idempotency key of a sheet's stored answer: a resubmission stores nothing twice."""
        return f"paper-{self.campaign_id}-{self.unit_id}-{self.pk}-{sheet_number}"


class PaperEntry(models.Model):
    """One clerk's copy of one sheet, as typed ("not applicable" kept as the code 99)."""

    batch = models.ForeignKey(
        PaperBatch, verbose_name=_("paper batch"), on_delete=models.CASCADE, related_name="entries"
    )
    sheet_number = models.PositiveIntegerField(_("sheet number"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=dict)
    profile = models.JSONField(_("respondent profile"), default=dict, blank=True)
    service = models.ForeignKey(
        "units.Service",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("typed sheet")
        verbose_name_plural = _("typed sheets")
        ordering = ["batch", "sheet_number", "entered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "sheet_number", "clerk"], name="paper_entry_once_per_clerk"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.sheet_number} ({self.clerk})"

    def content(self) -> tuple[dict[str, object], dict[str, object], int | None]:
        """What two copies must agree on."""
        return self.answers, self.profile, self.service_id


class PaperResolution(models.Model):
    """Who settled the differences between two copies of a sheet, when, and how."""

    batch = models.ForeignKey(
        PaperBatch,
        verbose_name=_("paper batch"),
        on_delete=models.CASCADE,
        related_name="resolutions",
    )
    sheet_number = models.PositiveIntegerField(_("sheet number"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), auto_now_add=True)
    differences = models.JSONField(
        _("differences"),
        default=dict,
        help_text=_("Per question: the first copy, the second copy and the value kept"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    profile = models.JSONField(_("respondent profile"), default=dict, blank=True)
    service = models.ForeignKey(
        "units.Service",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("double-entry resolution")
        verbose_name_plural = _("double-entry resolutions")
        ordering = ["-resolved_at"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sheet_number"], name="paper_resolution_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} #{self.sheet_number}"
