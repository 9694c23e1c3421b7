"""The audit log: append-only entries, each holding the hash of the one before it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import FIELDS, entry_hash

REFUSED = "Nhật ký kiểm toán chỉ được ghi thêm, không sửa hay xóa / the audit log is append-only: entries cannot be changed or deleted"


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly


class AuditEntry(models.Model):
    """One change: who, when, what, on which object and unit, why, and the details.

    ``actor`` and ``unit`` keep their ids without a database constraint and without cascading:
    the entry outlives a deleted user, and nothing may ever update it.
    """

    seq = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor name"), max_length=150, help_text=_("Username, or e.g. 'hailong compute'")
    )
    action = models.CharField(
        _("action"), max_length=64, db_index=True, help_text=_("e.g. campaign.open, quota.change")
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly

    def chained_fields(self) -> dict[str, Any]:
        """Every field except ``hash``, as the hash sees it."""
        return {name: getattr(self, name) for name in FIELDS}

    def computed_hash(self) -> str:
        return entry_hash(self.chained_fields())
