from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from hailong.qrcodes.links import BadLink, LinkTarget, link_make, link_read
from hailong.units.models import Desk

from .conftest import Place


def token_of(path: str) -> str:
    assert path.startswith("/q/")
    return path.removeprefix("/q/")


def test_a_link_names_its_unit_procedure_and_desk(place: Place) -> None:
    cases = [
        {"unit": place.ward},
        {"unit": place.ward, "service": place.birth},
        {"unit": place.ward, "desk": place.desk},
        {"unit": place.ward, "service": place.land, "desk": place.desk},
    ]
    for case in cases:
        token = token_of(link_make(**case))
        assert link_read(token) == LinkTarget(
            unit=case["unit"], service=case.get("service"), desk=case.get("desk")
        )


def test_a_token_stays_short_even_with_large_keys(place: Place) -> None:
    place.desk.delete()
    desk = Desk.objects.create(pk=1_500_000, unit=place.ward, code="quay-9", name="Quầy 9")
    token = token_of(link_make(unit=place.ward, service=place.land, desk=desk))
    assert len(token) <= 24
    assert link_read(token).desk == desk
    assert len(token_of(link_make(unit=place.ward))) <= 16


def test_every_changed_or_cut_character_is_refused(place: Place) -> None:
    token = token_of(link_make(unit=place.ward, service=place.birth, desk=place.desk))
    for position, char in enumerate(token):
        for other in ("A", "z", "0", "-"):
            if other != char:
                with pytest.raises(BadLink):
                    link_read(token[:position] + other + token[position + 1 :])
    for cut in range(len(token)):
        with pytest.raises(BadLink):
            link_read(token[:cut])
    for junk in (token + "A", token + "==", token.replace("-", "+"), "é" * 20, "q" * 200):
        if junk != token:
            with pytest.raises(BadLink):
                link_read(junk)


def test_a_token_from_another_installation_is_refused(place: Place) -> None:
    token = token_of(link_make(unit=place.ward))
    with override_settings(SECRET_KEY="another-installation-" * 3), pytest.raises(BadLink):
        link_read(token)


def test_old_posters_keep_working_after_the_key_is_rotated(place: Place, settings) -> None:
    token = token_of(link_make(unit=place.ward))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" * 5
    assert link_read(token).unit == place.ward


def test_a_closed_or_deleted_desk_stops_the_code(place: Place) -> None:
    token = token_of(link_make(unit=place.ward, desk=place.desk))
    place.desk.active = False
    place.desk.save()
    with pytest.raises(BadLink) as refused:
        link_read(token)
    assert "không còn" in refused.value.vi and "no longer valid" in refused.value.en
    place.desk.active = True
    place.desk.save()
    assert link_read(token).desk == place.desk
    place.desk.delete()
    with pytest.raises(BadLink):
        link_read(token)


def test_a_procedure_no_longer_delivered_or_a_merged_unit_stops_the_code(place: Place) -> None:
    token = token_of(link_make(unit=place.ward, service=place.birth))
    place.birth.units.remove(place.ward)
    with pytest.raises(BadLink):
        link_read(token)
    unit_token = token_of(link_make(unit=place.ward))
    place.ward.valid_to = dt.date(2025, 6, 30)
    place.ward.save()
    with pytest.raises(BadLink) as refused:
        link_read(unit_token)
    name = place.ward.name  # the person learns what happened to the unit on the poster
    assert f"{name}, đơn vị này không còn tồn tại" in refused.value.vi
    assert f"{name}, which no longer exists" in refused.value.en
    assert "30/06/2025" in refused.value.vi and "30/06/2025" in refused.value.en


def test_a_desk_of_another_unit_cannot_be_linked(place: Place) -> None:
    with pytest.raises(ValueError, match="another unit"):
        link_make(unit=place.other, desk=place.desk)


def test_the_refusal_speaks_vietnamese_and_english(place: Place) -> None:
    with pytest.raises(BadLink) as refused:
        link_read("not-a-token")
    assert "Mã QR" in refused.value.vi and "QR code" in refused.value.en
    assert str(refused.value) == f"{refused.value.vi} / {refused.value.en}"
