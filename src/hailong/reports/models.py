"""Report jobs: documents made in the background, with their progress kept in the database.

The database is the only source of truth (any app node shows any job's progress, and any
worker process may run it); the worker claims a job with one conditional UPDATE.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        REPORT_PDF = "report_pdf", _("Official report (PDF)")
        WORKBOOK_XLSX = "workbook_xlsx", _("Results workbook (XLSX)")
        PAR_XLSX = "par_xlsx", _("PAR Index points (XLSX)")
        SCORECARDS_ZIP = "scorecards_zip", _("Every unit's scorecard (ZIP of PDFs)")
        SCORECARD_PDF = "scorecard_pdf", _("One unit's scorecard (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE
    )
    computation = models.ForeignKey(
        "results.Computation",
        verbose_name=_("index computation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Empty when the campaign had no results when the document was asked for"),
    )
    digest = models.CharField(
        _("content hash of the figures"),
        max_length=64,
        blank=True,
        help_text=_("A finished file is reused while the figures keep this hash"),
    )
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    message = models.CharField(_("current step"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(
        _("last progress at"),
        null=True,
        blank=True,
        help_text=_("A running job without progress for too long is given to another worker"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.CharField(
        _("file"), max_length=300, blank=True, help_text=_("Path under var/reports/")
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    file_removed_at = models.DateTimeField(
        _("file removed at"),
        null=True,
        blank=True,
        help_text=_("Files of finished jobs are removed after HAILONG_REPORT_RETENTION_DAYS"),
    )
    error = models.TextField(_("why it failed"), blank=True)
    detail = models.TextField(_("technical detail"), blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "kind", "unit", "digest"])]
        constraints = [
            # At most one identical job queued or running: two requests at the same moment on
            # PostgreSQL both see none and both insert; the second insert fails here and
            # job_request returns the first. COALESCE: a NULL unit would never be equal.
            models.UniqueConstraint(
                models.F("campaign"),
                models.F("kind"),
                Coalesce("unit", 0),
                models.F("digest"),
                condition=models.Q(status__in=["queued", "running"]),
                name="report_job_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.get_kind_display()} – {self.get_status_display()}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
