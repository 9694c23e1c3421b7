"""Storing questionnaire versions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from hailong.accounts.models import User
from hailong.audit.services import audit_record
from hailong.measurement.instruments import builtin_instruments, digest, parse_instrument

from .models import InstrumentVersion


class FrozenInstrument(Exception):
    """A frozen version cannot change; save the change as a new version."""


@transaction.atomic
def instrument_store(
    *, raw: dict[str, Any], source: str = InstrumentVersion.Source.CUSTOM
) -> InstrumentVersion:
    """Validate and store a definition; the same content again is a no-op."""
    instrument = parse_instrument(raw)
    content = digest(raw)
    existing = InstrumentVersion.objects.filter(
        code=instrument.code, version=instrument.version
    ).first()
    if existing is not None:
        if existing.digest == content:
            return existing
        if existing.in_use:
            raise FrozenInstrument(
                f"Phiên bản {instrument.code} v{instrument.version} đã khóa; hãy lưu thành phiên bản mới / "
                f"{instrument.code} v{instrument.version} is frozen; save the change as a new version."
            )
        existing.definition, existing.digest, existing.title = raw, content, instrument.title.vi
        existing.save()
        return existing
    return InstrumentVersion.objects.create(
        code=instrument.code,
        version=instrument.version,
        title=instrument.title.vi,
        kind=instrument.kind,
        definition=raw,
        digest=content,
        source=source,
    )


def instrument_freeze(*, version: InstrumentVersion) -> InstrumentVersion:
    """Freeze a version: from now on results say they came from exactly this content."""
    if version.frozen_at is None:
        version.frozen_at = timezone.now()
        with transaction.atomic():
            frozen = InstrumentVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
                frozen_at=version.frozen_at
            )
            if frozen:
                audit_record(
                    action="instrument.freeze",
                    actor_label="hailong",
                    obj=version,
                    data={
                        "code": version.code,
                        "version": version.version,
                        "digest": version.digest,
                    },
                )
    return version


@transaction.atomic
def instrument_new_version(
    *, version: InstrumentVersion, actor: User | None = None
) -> InstrumentVersion:
    """An editable copy of a version, numbered after the latest of its code."""
    latest = InstrumentVersion.objects.filter(code=version.code).order_by("-version").first()
    number = (latest.version if latest else version.version) + 1
    raw = {**version.definition, "version": number}
    copy = instrument_store(raw=raw, source=InstrumentVersion.Source.CUSTOM)
    audit_record(
        action="instrument.new_version",
        actor=actor,
        obj=copy,
        data={"code": copy.code, "from": version.version, "to": copy.version},
    )
    return copy


def builtin_instruments_load() -> list[InstrumentVersion]:
    """Store the instruments hailong ships (methodology.md §3)."""
    return [
        instrument_store(raw=raw, source=InstrumentVersion.Source.BUILTIN)
        for _, raw in builtin_instruments()
    ]
