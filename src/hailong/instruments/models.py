"""Questionnaire versions stored as data; the measurement core reads them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hailong.measurement.errors import InstrumentError
from hailong.measurement.instruments import Instrument, digest, parse_instrument


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        instrument = parse_instrument(self.definition)
        self.digest = digest(self.definition)
        self.title = self.title or instrument.title.vi
        self.kind = instrument.kind
        super().save(*args, **kwargs)

    def to_core(self) -> Instrument:
        return parse_instrument(self.definition)

    @property
    def in_use(self) -> bool:
        """Frozen, or already holding answers: its content can no longer change."""
        return self.frozen_at is not None or (self.pk is not None and self.response_set.exists())

    def clean(self) -> None:
        """Refuse an invalid definition (naming the bad element) or a change to a frozen one."""
        try:
            instrument = parse_instrument(self.definition)
        except InstrumentError as exc:
            raise ValidationError(
                {"definition": f"{exc.path}: {exc.message_vi} / {exc.message_en}"}
            ) from exc
        if (instrument.code, instrument.version) != (self.code, self.version):
            raise ValidationError(
                {
                    "definition": _(
                        "The code and version inside the definition must match this record."
                    )
                }
            )
        if self.pk is not None:
            stored = (
                InstrumentVersion.objects.filter(pk=self.pk)
                .values_list("digest", flat=True)
                .first()
            )
            if stored is not None and stored != digest(self.definition) and self.in_use:
                raise ValidationError(
                    {
                        "definition": _(
                            "This version is frozen because answers use it; make a new version instead."
                        )
                    }
                )
