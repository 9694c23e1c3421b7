"""A year's survey plan: which questionnaire, when, which units, how many answers each."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How an answer reaches hailong."""

    WEB = "web", _("Web form")
    QR = "qr", _("QR code")
    KIOSK = "kiosk", _("Kiosk")
    PAPER = "paper", _("Paper")
    IMPORT = "import", _("File import")
    API = "api", _("API")


def default_par_points() -> dict[str, str]:
    """Methodology.md §4: the survey is commonly worth about 10 of 100 PAR Index points."""
    return {
        kind: "10"
        for kind in ("department", "service_centre", "district", "commune", "ward", "special_zone")
    }


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Example: sipas-2024")
    )
    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("survey year"))
    instrument = models.ForeignKey(
        "instruments.InstrumentVersion", verbose_name=_("questionnaire"), on_delete=models.PROTECT
    )
    period_start = models.DateField(_("collection starts"))
    period_end = models.DateField(_("collection ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    channels = models.JSONField(
        _("open channels"), default=list, help_text=_('Example: ["web", "qr", "paper"]')
    )
    min_answers = models.PositiveIntegerField(
        _("minimum answers per figure"),
        default=30,
        help_text=_("Below this a figure is marked 'not enough answers' and never ranked"),
    )
    confidence = models.DecimalField(
        _("confidence level"), max_digits=3, decimal_places=2, default=Decimal("0.95")
    )
    par_max_points = models.JSONField(
        _("PAR Index maximum points"),
        default=default_par_points,
        blank=True,
        help_text=_(
            'Points per unit kind, e.g. {"department": "10", "commune": {"max": "10", "formula": '
            '"above_floor", "floor": 50}}'
        ),
    )
    weighting = models.CharField(
        _("weighting"),
        max_length=10,
        choices=[
            ("none", _("No weighting")),
            ("service", _("To files per procedure")),
            ("channel", _("To files per filing channel")),
        ],
        default="none",
        help_text=_("Post-stratify each unit's answers to its completed files"),
    )
    announcement = models.TextField(_("announcement"), blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="campaign_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse a PAR rule the computation could not apply, naming the unit kind."""
        from hailong.measurement.par import par_points

        rules = self.par_max_points if isinstance(self.par_max_points, dict) else None
        if rules is None:
            raise ValidationError({"par_max_points": _("Give a table of unit kind → points.")})
        for kind, rule in rules.items():
            try:
                if isinstance(rule, dict):
                    par_points(
                        100.0,
                        max_points=rule["max"],
                        formula=rule.get("formula", "linear"),
                        floor=float(rule.get("floor", 50)),
                    )
                else:
                    par_points(100.0, max_points=rule)
            except (KeyError, ValueError, TypeError, ZeroDivisionError) as exc:
                raise ValidationError({"par_max_points": f"{kind}: {exc}"}) from exc


class CampaignUnit(models.Model):
    """A unit in a campaign's scope, with its quota of answers."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scope")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    quota = models.PositiveIntegerField(_("quota"), default=0)
    completed_files = models.PositiveIntegerField(
        _("completed files"),
        null=True,
        blank=True,
        help_text=_("Files completed in the period, for sampling and weighting"),
    )

    class Meta:
        verbose_name = _("unit in scope")
        verbose_name_plural = _("units in scope")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.unit}"


class FileVolume(models.Model):
    """Completed files of a unit in the campaign period, per procedure or filing channel.

    The sampling planner reads their totals; post-stratification weights each unit's
    answers to this mix (methodology.md §5).
    """

    class Dimension(models.TextChoices):
        TOTAL = "total", _("All files")
        SERVICE = "service", _("Per procedure")
        CHANNEL = "channel", _("Per filing channel")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="volumes")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    stratum = models.CharField(
        _("stratum"), max_length=40, blank=True, help_text=_("Procedure code or filing channel")
    )
    files = models.PositiveIntegerField(_("completed files"))

    class Meta:
        verbose_name = _("file volume")
        verbose_name_plural = _("file volumes")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "dimension", "stratum"], name="volume_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.stratum or '*'}: {self.files}"
