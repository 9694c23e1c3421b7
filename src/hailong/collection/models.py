"""Answers (one row per completed questionnaire), whatever channel brought them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from hailong.campaigns.models import Channel


class CollectionMode(models.TextChoices):
    """How the respondent was reached (methodology.md §2)."""

    ONLINE = "online", _("Online, self-completed")
    DESK_QR = "desk_qr", _("QR code at the desk")
    KIOSK = "kiosk", _("Kiosk")
    PAPER = "paper", _("Paper form from an enumerator")
    INTERVIEW = "interview", _("Face-to-face interview")
    PHONE = "phone", _("Phone interview")


class FilingChannel(models.TextChoices):
    """How the respondent filed the file and got the result."""

    IN_PERSON = "in_person", _("In person")
    ONLINE_FULL = "online_full", _("Fully online")
    ONLINE_PARTIAL = "online_partial", _("Partly online")
    POSTAL = "postal", _("By post")


# The longest an answer writer takes between stamping ``changed_at`` and committing: the
# submission writer, an import (re-stamped just before it commits), a review. Whoever reads
# "what changed since S" reads from S − WRITE_SLACK so that nothing committed late is missed
# (the comments' sync, the progress board's past days; the analytics store keeps 5 minutes).
WRITE_SLACK = dt.timedelta(seconds=30)


class Response(models.Model):
    """One completed questionnaire.

    ``answers`` maps question codes to answer codes (missing or "not applicable" answers
    are absent, never 0); ``profile`` holds the respondent block apart, so that it can be
    dropped or coarsened before data leave the unit.
    """

    class Review(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        FLAGGED = "flagged", _("Waiting for review")
        REJECTED = "rejected", _("Rejected")

    receipt = models.CharField(_("receipt number"), max_length=32, unique=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    # Every index costs each submission a B-tree write: the (campaign, unit) and
    # (campaign, review) indexes below serve the lookups, so the foreign keys get none.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    instrument = models.ForeignKey(
        "instruments.InstrumentVersion",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, db_index=False
    )
    service = models.ForeignKey(
        "units.Service",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    desk = models.ForeignKey(
        "units.Desk",
        verbose_name=_("desk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    source = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    collection_mode = models.CharField(
        _("collection mode"), max_length=12, choices=CollectionMode.choices
    )
    filing_channel = models.CharField(
        _("filing channel"), max_length=16, choices=FilingChannel.choices, blank=True
    )
    result_date = models.DateField(_("result received on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    received_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    changed_at = models.DateTimeField(_("last changed"), auto_now=True)
    answers = models.JSONField(_("answers"), default=dict)
    profile = models.JSONField(_("respondent profile"), default=dict, blank=True)
    flags = models.JSONField(_("integrity flags"), default=list, blank=True)
    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.ACCEPTED
    )
    verified = models.BooleanField(_("verified by invitation code"), default=False)
    invitation = models.CharField(_("invitation code"), max_length=16, blank=True)
    fingerprint = models.CharField(
        _("content fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Tells a replay of the same answer from a different one under the same key"),
    )
    client_hash = models.CharField(
        _("network address (keyed hash)"),
        max_length=32,
        blank=True,
        help_text=_("Never the address itself: a keyed hash whose salt changes every day"),
    )
    device = models.CharField(_("device or integrating system"), max_length=64, blank=True)
    fill_seconds = models.PositiveIntegerField(_("seconds taken to answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("completed questionnaire")
        verbose_name_plural = _("completed questionnaires")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["campaign", "unit"], name="response_campaign_unit"),
            models.Index(fields=["campaign", "review"], name="response_campaign_review"),
            # what changed in a campaign since a moment: the analytics store's sync, the
            # comments' sync and the progress board's days (every such query names the campaign)
            models.Index(fields=["campaign", "changed_at"], name="response_campaign_changed"),
        ]

    def __str__(self) -> str:
        return self.receipt


class ClientSalt(models.Model):
    """The random salt of one day's network-address hashes.

    Salts older than two days are deleted, after which nobody, with or without the secret
    key, can tell which address a stored hash came from.
    """

    day = models.DateField(_("day"), primary_key=True)
    salt = models.CharField(_("salt"), max_length=64)

    class Meta:
        verbose_name = _("daily address salt")
        verbose_name_plural = _("daily address salts")

    def __str__(self) -> str:
        return self.day.isoformat()
