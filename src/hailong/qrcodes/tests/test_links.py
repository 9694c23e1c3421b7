from __future__ import annotations

import base64
import datetime as dt

import pytest
import segno
from django.test import override_settings

from hailong.core.crockford import ALPHABET, bytes_decode, grouped
from hailong.qrcodes.links import (
    BadLink,
    LinkTarget,
    link_make,
    link_read,
    path_printed,
    token_make,
)
from hailong.units.models import Desk, Service, Unit, UnitKind

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
    assert len(token) <= 28
    assert link_read(token).desk == desk
    assert len(token_of(link_make(unit=place.ward))) <= 18


def test_every_changed_or_cut_symbol_is_refused(place: Place) -> None:
    token = token_of(link_make(unit=place.ward, service=place.birth, desk=place.desk))
    assert set(token) <= set(ALPHABET)
    for position, char in enumerate(token):
        for other in ALPHABET.replace(char, "") + "U_":
            with pytest.raises(BadLink):
                link_read(token[:position] + other + token[position + 1 :])
    for cut in range(len(token)):
        with pytest.raises(BadLink):
            link_read(token[:cut])
        with pytest.raises(BadLink):
            link_read(token[:cut] + token[cut + 1 :])  # one symbol skipped while typing
    for junk in (token + "0", token + "==", token + "00", "é" * 20, "q" * 200, token[::-1]):
        with pytest.raises(BadLink):
            link_read(junk)


def test_a_typed_address_is_read_in_any_case_with_look_alikes_and_groups(place: Place) -> None:
    """What a person types from a poster: lower case, O for 0, I or l for 1, the printed dashes."""
    token = token_of(link_make(unit=place.ward, service=place.birth, desk=place.desk))
    expected = link_read(token)
    typed = [token.lower(), grouped(token), grouped(token.lower(), 3)]
    typed.append(token.replace("0", "O").replace("1", "I"))
    typed.append(token.lower().replace("0", "o").replace("1", "l"))
    for spelling in typed:
        assert link_read(spelling) == expected
    assert path_printed(f"/q/{token}") == "/q/" + grouped(token)
    assert not path_printed(f"/q/{token}").endswith("-")


def test_the_first_posters_base64url_codes_still_open_their_unit(place: Place) -> None:
    """Codes printed before the base 32 spelling: the same signed bytes in base64url."""
    token = token_of(link_make(unit=place.ward, service=place.birth, desk=place.desk))
    raw = bytes_decode(token)
    assert raw is not None
    old = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert link_read(old) == link_read(token)
    for position, char in enumerate(old):  # one spelling per old token, as before
        for other in ("A", "z", "0", "-"):
            if other != char:
                with pytest.raises(BadLink):
                    link_read(old[:position] + other + old[position + 1 :])
    for junk in (old + "A", old + "==", old.swapcase()):
        with pytest.raises(BadLink):
            link_read(junk)


@override_settings(SECRET_KEY="a-key-that-printed-posters-in-2025-" * 2)
def test_tokens_printed_by_earlier_releases_keep_their_meaning(place: Place) -> None:
    """Literal tokens: a change to the payload, the MAC or either spelling breaks posters."""
    unit = Unit.objects.create(pk=4242, code="16003", name="Xã Hoằng Lộc", kind=UnitKind.COMMUNE)
    service = Service.objects.create(pk=777, code="1.000656", name="Chứng thực", level="commune")
    service.units.add(unit)
    desk = Desk.objects.create(pk=31, unit=unit, code="quay-1", name="Quầy số 1")
    full = LinkTarget(unit=unit, service=service, desk=desk)
    assert link_read("E5IhiQYfcSuR14Axh68") == full  # base64url, the first posters
    assert link_read("2E9232863XRJQ4EQG0RRFBR") == full
    assert link_read("EJIhEG8IDe2NFJM") == LinkTarget(unit=unit)
    assert token_make(unit=unit) == "2292243F106YV38MJC"


def test_the_qr_code_is_no_bigger_than_the_first_posters(place: Place) -> None:
    """Scheme and host stay in lower case, which every scanner opens; the token is in capitals."""
    base = "https://hailong.thanhhoa.gov.vn"
    for path in (link_make(unit=place.ward), link_make(unit=place.ward, desk=place.desk)):
        raw = bytes_decode(token_of(path))
        assert raw is not None
        old_url = base + "/q/" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        new, old = segno.make(base + path, error="q"), segno.make(old_url, error="q")
        assert new.version == old.version == 5  # 37 × 37 modules


def test_a_huge_token_is_refused_before_any_work() -> None:
    for junk in ("0" * 65, "0" * 200_000, "A" * 100_000):
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
