"""Administrative units (a tree of any depth), the procedures they deliver and their desks."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Province department")
    SERVICE_CENTRE = "service_centre", _("Public-service centre")
    DISTRICT = "district", _("District (before 07/2025)")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    SPECIAL_ZONE = "special_zone", _("Special zone")


class Unit(models.Model):
    """An agency or an administrative unit that serves people.

    The tree is stored twice on purpose: ``parent`` for editing and ``path`` (ids from the
    root, e.g. ``/1/17/``) so that "this unit and everything below it" is one indexed
    prefix query, whatever the depth. Units merge and split (07/2025), so each has a
    validity period instead of being deleted.
    """

    code = models.CharField(
        _("official code"),
        max_length=32,
        unique=True,
        help_text=_("Example: 14797 (GSO code) or SNV"),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Example: Phường Hạc Thành"))
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(
        _("tree path"), max_length=255, db_index=True, editable=False, default=""
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Set when the unit is merged, split or dissolved"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_period",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        path = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        depth = self.parent.depth + 1 if self.parent else 0
        if (path, depth) != (self.path, self.depth):
            Unit.objects.filter(pk=self.pk).update(path=path, depth=depth)
            old = self.path
            self.path, self.depth = path, depth
            if old:
                for child in self.children.all():
                    child.save()

    def valid_on(self, day: dt.date) -> bool:
        """Whether the unit existed on ``day``: every answer keeps a unit valid on its date."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def validity_problem(self, day: dt.date) -> tuple[str, str] | None:
        """Why the unit takes no answer dated ``day`` (Vietnamese, English), or None."""
        if self.valid_to is not None and day > self.valid_to:
            return (
                f"đơn vị {self.code} ({self.name}) đã hết hiệu lực từ sau ngày "
                f"{self.valid_to:%d/%m/%Y} (hợp nhất, chia tách hoặc giải thể); "
                "hãy nhập cho đơn vị đang phụ trách",
                f"unit {self.code} ({self.name}) ended on {self.valid_to:%d/%m/%Y} (merged, "
                "split or dissolved); enter the answer for the unit now in charge",
            )
        if self.valid_from is not None and day < self.valid_from:
            return (
                f"đơn vị {self.code} ({self.name}) chỉ có hiệu lực từ ngày {self.valid_from:%d/%m/%Y}",
                f"unit {self.code} ({self.name}) only exists from {self.valid_from:%d/%m/%Y}",
            )
        return None

    def subtree(self) -> models.QuerySet[Unit]:
        """This unit and every unit below it."""
        return Unit.objects.filter(path__startswith=self.path)


class Service(models.Model):
    """An administrative procedure (thủ tục hành chính) as listed in the national database."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province level")
        COMMUNE = "commune", _("Commune level")
        CENTRAL = "central", _("Central level")

    code = models.CharField(
        _("procedure code"),
        max_length=32,
        unique=True,
        help_text=_("National code (mã TTHC), e.g. 1.001193"),
    )
    name = models.CharField(_("name"), max_length=500)
    field = models.CharField(_("field"), max_length=200, help_text=_("Example: Hộ tịch"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    units = models.ManyToManyField(
        Unit, verbose_name=_("delivered by"), related_name="services", blank=True
    )

    class Meta:
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        ordering = ["field", "name"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class Desk(models.Model):
    """A counter (quầy) at a unit's one-stop section, so that desk QR codes say where people were served."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="desks"
    )
    code = models.SlugField(
        _("desk code"), max_length=40, help_text=_("Short and unique within the unit, e.g. quay-1")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Example: Quầy số 1 – Hộ tịch"))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("QR codes of an inactive desk stop working")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["unit", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="desk_code_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.name}"
