"""Stored index tables: what the web pages, reports and open data read.

A computation is kept whole: its rows are written together and never edited, so a page
and a report made from the same computation show the same figures.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Computation(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE
    )
    instrument = models.ForeignKey(
        "instruments.InstrumentVersion",
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
    )
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    n_answers = models.PositiveIntegerField(_("answers used"))
    settings = models.JSONField(_("settings"), default=dict)
    digest = models.CharField(_("content hash"), max_length=64)
    seconds = models.FloatField(_("duration (s)"), default=0)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A published computation is kept unchanged"),
    )

    class Meta:
        verbose_name = _("index computation")
        verbose_name_plural = _("index computations")
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"{self.campaign} – {self.computed_at:%d/%m/%Y %H:%M}"


class IndexRow(models.Model):
    """One figure: an item, factor, part or overall index of one group, with its interval."""

    computation = models.ForeignKey(Computation, on_delete=models.CASCADE, related_name="rows")
    grouping = models.CharField(
        _("grouping"), max_length=60, help_text=_("Example: unit, unit_kind, province")
    )
    group_value = models.CharField(_("group"), max_length=120, blank=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=10)
    code = models.CharField(_("code"), max_length=40)
    index = models.FloatField(_("index"), null=True)
    low = models.FloatField(_("lower bound"), null=True)
    high = models.FloatField(_("upper bound"), null=True)
    se = models.FloatField(_("standard error"), null=True)
    n = models.PositiveIntegerField(_("valid answers"), default=0)
    n_missing = models.PositiveIntegerField(_("missing answers"), null=True)
    n_eff = models.FloatField(_("effective sample size"), null=True)
    deff = models.FloatField(_("design effect"), null=True)
    enough = models.BooleanField(_("enough answers"), default=False)
    share_satisfied = models.FloatField(_("share satisfied"), null=True)
    mean_score = models.FloatField(_("mean score"), null=True)
    mean_index = models.FloatField(_("mean-score index"), null=True)
    distribution = models.JSONField(_("distribution"), null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    rank_low = models.PositiveIntegerField(_("best plausible rank"), null=True)
    rank_high = models.PositiveIntegerField(_("worst plausible rank"), null=True)
    delta = models.FloatField(_("change since last campaign"), null=True)
    delta_significant = models.BooleanField(_("significant change"), null=True)
    previous = models.FloatField(_("previous index"), null=True)
    par_points = models.DecimalField(
        _("PAR Index points"), max_digits=6, decimal_places=2, null=True
    )
    grade = models.CharField(_("grade"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("index figure")
        verbose_name_plural = _("index figures")
        indexes = [
            models.Index(
                fields=["computation", "grouping", "level", "code"], name="indexrow_lookup"
            ),
            models.Index(fields=["computation", "unit"], name="indexrow_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.grouping}={self.group_value} {self.level}:{self.code}"
