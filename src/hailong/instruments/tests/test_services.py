"""Questionnaire versions: stored as validated data, frozen once answers use them."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import (
    FrozenInstrument,
    builtin_instruments_load,
    instrument_freeze,
    instrument_new_version,
    instrument_store,
)
from hailong.measurement import InstrumentError

pytestmark = pytest.mark.django_db


def test_builtin_questionnaires_load_once() -> None:
    first = builtin_instruments_load()
    assert {v.code for v in first} == {
        "sipas-2017-province",
        "sipas-2023-national",
        "desk-quick",
        "skm-indonesia",
    }
    assert builtin_instruments_load() == first
    assert InstrumentVersion.objects.count() == 4


def test_a_frozen_version_refuses_changes_and_a_new_version_takes_them() -> None:
    version = builtin_instruments_load()[0]
    instrument_freeze(version=version)
    changed = copy.deepcopy(version.definition)
    changed["title"] = {"vi": "Phiếu đã sửa", "en": "Edited form"}
    with pytest.raises(FrozenInstrument, match="new version"):
        instrument_store(raw=changed)
    version.definition = changed
    with pytest.raises(ValidationError, match=r"frozen|đã khóa"):
        version.full_clean()
    fresh = instrument_new_version(version=InstrumentVersion.objects.get(pk=version.pk))
    assert fresh.version == 2 and fresh.frozen_at is None and fresh.code == version.code
    assert fresh.to_core().version == 2


def test_an_invalid_definition_is_refused_with_the_path_of_the_bad_element() -> None:
    version = builtin_instruments_load()[2]
    broken = copy.deepcopy(version.definition)
    broken["sections"][0]["questions"][0]["factor"] = "F9"
    version.definition = broken
    with pytest.raises(ValidationError, match=r"sections\[0\]\.questions\[0\]\.factor"):
        version.full_clean()
    with pytest.raises(InstrumentError):
        instrument_store(raw=broken)
