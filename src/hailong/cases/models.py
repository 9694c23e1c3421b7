"""Complaints and suggestions sent to a unit, their contacts (kept apart) and every step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Case(models.Model):
    """One complaint or suggestion, followed by its tracking code from receipt to closing.

    The sender's contact details are not here but in :class:`CaseContact`, so that this row
    (and anything exported from it) says nothing about who wrote it.
    """

    class Kind(models.TextChoices):
        # the official terms of Decree 20/2008 (phản ánh, kiến nghị), not a comment's tone
        COMPLAINT = "complaint", pgettext_lazy("case kind", "Complaint")
        SUGGESTION = "suggestion", pgettext_lazy("case kind", "Suggestion")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Newly received")
        ASSIGNED = "assigned", _("Assigned to the unit")
        IN_PROGRESS = "in_progress", _("Being handled")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Feedback page")
        THANKS = "thanks", _("After a survey answer")
        KIOSK = "kiosk", _("Kiosk")
        RESPONSE = "response", _("From a survey comment, by a coordinator")

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    response = models.ForeignKey(
        "collection.Response",
        verbose_name=_("survey answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    text = models.TextField(_("text"))
    factors = models.JSONField(_("suggested factors"), default=list, blank=True)
    tone = models.CharField(_("suggested tone"), max_length=12, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    due_on = models.DateField(_("answer due on"))
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    answer = models.TextField(_("the unit's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_consent = models.BooleanField(_("sender agrees to publish"), default=False)
    unit_consent = models.BooleanField(_("unit agrees to publish"), default=False)
    published = models.BooleanField(_("published (anonymised)"), default=False)
    client_hash = models.CharField(_("address hash"), max_length=32, blank=True, db_index=True)

    class Meta:
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="case_status_due")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


OPEN_STATUSES = (Case.Status.RECEIVED, Case.Status.ASSIGNED, Case.Status.IN_PROGRESS)


class CaseContact(models.Model):
    """How to reach the sender, if they chose to say; deleted some days after closing.

    Shown only to the owning unit's managers and to coordinators; never exported, published
    or written to the audit log.
    """

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="contact"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("sender's contact")
        verbose_name_plural = _("senders' contacts")

    def __str__(self) -> str:
        return f"{self.case_id}"


class CaseEvent(models.Model):
    """One step of a case: who, when, from which status to which, and why."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by (label)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Holiday(models.Model):
    """A public holiday, or a Saturday or Sunday worked instead of one ("ngày làm bù").

    Entered by the province each year from the Prime Minister's or the Ministry's notice
    (Tết and the Hùng Kings' day follow the lunar calendar); deadlines skip the days off and
    count the worked days (``cases/deadlines.py``).
    """

    day = models.DateField(_("day"), unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    working_day = models.BooleanField(
        _("worked instead (make-up working day)"),
        default=False,
        help_text=_("A Saturday or Sunday that is officially worked in exchange for a day off."),
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name_vi}".strip()


class Outbox(models.Model):
    """One e-mail, written in the same transaction as the case step it tells about.

    A step that rolls back leaves no message; ``hailong cases tick`` sends what is pending and
    marks it sent, so a message goes once. Not in the admin: messages to a sender hold their
    address, which is deleted with the contact (``cases_escalate``).
    """

    class Audience(models.TextChoices):
        SENDER = "sender", _("the sender")
        UNIT = "unit", _("the unit and its managers")
        COORDINATOR = "coordinator", _("a coordinator")

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mails",
    )
    audience = models.CharField(_("to whom"), max_length=12, choices=Audience.choices)
    step = models.CharField(_("step"), max_length=20)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"))
    next_try_at = models.DateTimeField(_("next try at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("e-mail to send")
        verbose_name_plural = _("e-mails to send")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "next_try_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.pk} {self.step}"
