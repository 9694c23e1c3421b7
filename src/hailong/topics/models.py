"""Comments derived from free-text answers: masked text, search text, factor and tone tags."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tone(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    NEUTRAL = "neutral", _("Neutral")


# factor code of hailong.comments -> boolean column; a comment may speak of several factors
FACTOR_FIELDS = {
    "F1": "f1",
    "F2": "f2",
    "F3": "f3",
    "F4": "f4",
    "F5": "f5",
    "other": "f_other",
}


class Comment(models.Model):
    """One free-text answer of one response, as staff may read it.

    A cache of ``Response.answers``: it can be rebuilt whole by ``comments_sync``. Only the
    masked text is kept here; the text as written stays in the answer alone.
    """

    response = models.ForeignKey(
        "collection.Response",
        verbose_name=_("completed questionnaire"),
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,  # the unique (response, question) constraint serves the lookups
    )
    question = models.CharField(_("question"), max_length=64)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, db_index=False
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, db_index=False
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    text = models.TextField(_("comment (personal data masked)"))
    search = models.TextField(_("search text (lower case, no diacritics)"))
    f1 = models.BooleanField(_("access to services"), default=False)
    f2 = models.BooleanField(_("administrative procedures"), default=False)
    f3 = models.BooleanField(_("civil servants"), default=False)
    f4 = models.BooleanField(_("results received"), default=False)
    f5 = models.BooleanField(_("feedback handling"), default=False)
    f_other = models.BooleanField(_("other"), default=False)
    tone = models.CharField(_("tone"), max_length=12, choices=Tone.choices)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    masked = models.JSONField(_("kinds of personal data masked"), default=list, blank=True)
    source_hash = models.CharField(_("fingerprint of the text as written"), max_length=64)
    lexicon_digest = models.CharField(_("lexicon digest"), max_length=64)
    tagged_at = models.DateTimeField(_("tagged at"), auto_now=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="comment_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "unit"], name="comment_campaign_unit"),
            models.Index(fields=["campaign", "submitted_at"], name="comment_campaign_time"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question}"

    @property
    def factors(self) -> list[str]:
        return [code for code, name in FACTOR_FIELDS.items() if getattr(self, name)]


class CommentSync(models.Model):
    """How far a campaign's comments are in step with its answers, and with which lexicon."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="comment_sync",
    )
    mark = models.DateTimeField(_("answers changed up to"), null=True, blank=True)
    lexicon_digest = models.CharField(_("lexicon digest"), max_length=64, blank=True)
    complete = models.BooleanField(_("all answers read"), default=False)
    synced_at = models.DateTimeField(_("last sync began"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment sync state")
        verbose_name_plural = _("comment sync states")

    def __str__(self) -> str:
        return str(self.campaign_id)
