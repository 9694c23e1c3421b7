"""Questionnaire versions stored as data; the measurement core reads them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hailong.measurement.instruments import Instrument, parse_instrument


class InstrumentVersion(models.Model):
    """One version of a questionnaire.

    The definition is the validated YAML mapping (schema ``hailong.instrument/1``). Once
    a campaign collects answers with it the version is frozen; a change makes a new one.
    """

    class Source(models.TextChoices):
        BUILTIN = "builtin", _("Built in")
        CUSTOM = "custom", _("Made by the province")

    code = models.CharField(_("code"), max_length=40, help_text=_("Example: sipas-2017-province"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, default="yearly")
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("content hash"), max_length=64, editable=False)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.CUSTOM
    )
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def to_core(self) -> Instrument:
        return parse_instrument(self.definition)
