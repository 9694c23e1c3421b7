from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from pathlib import Path

from django.utils import timezone

from hailong.campaigns.models import Campaign, CampaignUnit
from hailong.instruments.models import InstrumentVersion
from hailong.instruments.services import builtin_instruments_load
from hailong.qrcodes.links import link_read
from hailong.qrcodes.printables import posters_pdf, slips_pdf
from hailong.qrcodes.selectors import Code, unit_codes
from hailong.units.models import Desk, Service, Unit, UnitKind

from .conftest import Place

BASE = "https://hailong.thanhhoa.gov.vn"


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, int]:
    """The PDF's text as pdftotext reads it back (NFC), and its number of pages."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    # -raw: the content stream as written; the default reading mode joins a line ending in "-"
    # with the next one
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    pages = next(
        int(line.split()[-1]) for line in info.stdout.splitlines() if line.startswith("Pages:")
    )
    return " ".join(unicodedata.normalize("NFC", text.decode()).split()), pages


def test_the_poster_prints_the_unit_the_instructions_and_the_address(
    place: Place, tmp_path: Path
) -> None:
    code = Code(unit=place.ward, desk=place.desk)
    text, pages = pdf_text(posters_pdf(codes=[code], base=BASE), tmp_path)
    assert pages == 1
    assert "TỈNH THANH HÓA" in text and "Phường Hạc Thành" in text and "Quầy số 1 – Hộ tịch" in text
    assert "Quét mã để đánh giá mức độ hài lòng" in text
    assert "Ý kiến của Ông/Bà được giữ kín" in text
    assert "Your answers are confidential" in text  # the English subtitle
    assert "hailong.thanhhoa.gov.vn" + code.path_printed in text
    assert "Thời gian khảo sát" not in text  # no open survey


def test_the_address_printed_under_the_code_opens_it_when_typed(
    place: Place, tmp_path: Path
) -> None:
    """A person whose camera fails types the address as printed, maybe in lower case."""
    codes = [Code(unit=place.ward, service=place.land, desk=place.desk), Code(unit=place.other)]
    for pdf in (posters_pdf(codes=codes, base=BASE), slips_pdf(codes=codes, base=BASE)):
        text, _ = pdf_text(pdf, tmp_path)
        printed = re.findall(
            r"hailong\.thanhhoa\.gov\.vn ?/q/([0-9A-Z-]+)", text
        )  # one line or two
        assert len(printed) == 2 and not any(p.endswith("-") for p in printed)
        for code, typed in zip(codes, printed, strict=True):
            assert link_read(typed.lower()) == link_read(code.token)


def test_a_long_host_and_large_keys_fit_their_slip_and_poster_whole(
    place: Place, tmp_path: Path
) -> None:
    """Each part of the address is set smaller until it fits its column, never clipped."""
    host = "khaosat-hailong.trungtamphucvuhanhchinhcong.thanhhoa.gov.vn"
    ward = Unit.objects.create(
        pk=1_400_000, code="16999", name="Xã Mới", kind=UnitKind.COMMUNE, parent=place.province
    )
    service = Service.objects.create(
        pk=1_500_000, code="2.000001", name="Cấp phép", level="commune"
    )
    service.units.add(ward)
    desk = Desk.objects.create(pk=1_600_000, unit=ward, code="quay-9", name="Quầy 9")
    codes = [Code(unit=ward, service=service, desk=desk), Code(unit=place.other)]
    assert len(codes[0].token) == 29  # the longest a key below 2 million gives
    mm = 72 / 25.4
    for pdf, right_edges in (
        (slips_pdf(codes=codes, base="https://" + host), [(105 - 5) * mm, (210 - 5) * mm]),
        (posters_pdf(codes=codes, base="https://" + host), [210 * mm, 210 * mm]),
    ):
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        boxes = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
        words = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)</word>', boxes)
        printed = [(float(x), w) for x, w in words if w == host or w.startswith("/q/")]
        assert [w for _, w in printed] == [host, codes[0].path_printed, host, codes[1].path_printed]
        for (x_max, _), edge in zip(printed[::2] + printed[1::2], right_edges * 2, strict=True):
            assert x_max <= edge


def test_the_poster_shows_the_survey_period_when_one_is_open(place: Place, tmp_path: Path) -> None:
    builtin_instruments_load()
    campaign = Campaign.objects.create(
        code="sipas-2099", name="SIPAS 2099", year=2099,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=dt.date(2099, 10, 1), period_end=dt.date(2099, 11, 30),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=campaign, unit=place.ward)
    text, _ = pdf_text(posters_pdf(codes=[Code(unit=place.ward)], base=BASE), tmp_path)
    assert "Thời gian khảo sát: từ 01/10/2099 đến 30/11/2099" in text
    other, _ = pdf_text(posters_pdf(codes=[Code(unit=place.other)], base=BASE), tmp_path)
    assert "Thời gian khảo sát" not in other
    desk = Campaign.objects.create(  # open all year, starting earlier: the code opens the survey
        code="quay-2099", name="Quầy 2099", year=2099,
        instrument=InstrumentVersion.objects.get(code="desk-quick"),
        period_start=dt.date(2099, 1, 1), period_end=dt.date(2099, 12, 31),
        status=Campaign.Status.OPEN,
    )  # fmt: skip
    CampaignUnit.objects.create(campaign=desk, unit=place.ward)
    Campaign.objects.filter(pk=campaign.pk).update(
        instrument=InstrumentVersion.objects.get(code="sipas-2017-province")
    )
    text, _ = pdf_text(posters_pdf(codes=[Code(unit=place.ward)], base=BASE), tmp_path)
    assert "Thời gian khảo sát: từ 01/10/2099 đến 30/11/2099" in text
    # a desk form running today is what a scan opens now: its period, not next month's survey
    started = timezone.localdate() - dt.timedelta(days=10)  # Hanoi's date, as the code's
    Campaign.objects.filter(pk=desk.pk).update(period_start=started)
    text, _ = pdf_text(posters_pdf(codes=[Code(unit=place.ward)], base=BASE), tmp_path)
    assert f"Thời gian khảo sát: từ {started:%d/%m/%Y}" in text


def test_names_with_markup_characters_print_as_written(place: Place, tmp_path: Path) -> None:
    tricky = 'Sở "Nội vụ" #1 $x$ *đậm* _nghiêng_ <b> \\ [a] @b `c` // = ]'
    place.ward.name = tricky
    place.ward.save()
    service = Service.objects.create(
        code="2.000001", name='Cấp "giấy" #phép $100', field="Khác", level="province"
    )
    service.units.add(place.ward)
    text, _ = pdf_text(
        posters_pdf(codes=[Code(unit=place.ward, service=service)], base=BASE), tmp_path
    )
    assert tricky in text and 'Cấp "giấy" #phép $100 (2.000001)' in text


def test_slips_fill_ten_to_a_page_one_per_procedure(place: Place, tmp_path: Path) -> None:
    for n in range(11):
        service = Service.objects.create(
            code=f"9.{n:06d}", name=f"Thủ tục thử số {n}", field="Khác", level="commune"
        )
        service.units.add(place.ward)
    codes = unit_codes(unit=place.ward)
    assert len(codes) == 13
    text, pages = pdf_text(slips_pdf(codes=codes, base=BASE), tmp_path)
    assert pages == 2
    assert text.count("Phường Hạc Thành") == 13
    assert "Thủ tục thử số 10" in text and "Đăng ký khai sinh" in text
    assert "Quét mã để đánh giá sự phục vụ" in text


def test_a_unit_without_procedures_or_desks_gets_its_own_slip(place: Place) -> None:
    assert unit_codes(unit=place.other, by="desk") == [Code(unit=place.other)]
    assert [c.service for c in unit_codes(unit=place.other)] == [place.land]


def test_long_procedure_names_keep_a_poster_to_one_page_and_ten_slips_to_one_sheet(
    place: Place, tmp_path: Path
) -> None:
    words = "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản gắn liền với đất "
    long = [
        Service.objects.create(code=f"3.{n:06d}", name=(words * 6)[:500], field="Đất đai", level="commune")
        for n in range(10)
    ]  # fmt: skip
    poster = posters_pdf(codes=[Code(unit=place.ward, service=long[0], desk=place.desk)], base=BASE)
    text, pages = pdf_text(poster, tmp_path)
    assert pages == 1 and "…" in text
    slips = [Code(unit=place.ward, service=service) for service in long]
    assert pdf_text(slips_pdf(codes=slips, base=BASE), tmp_path)[1] == 1
