from __future__ import annotations

import pytest
from django.test import Client

from hailong.demo.services import answers_load, campaign_create, structure_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    campaign = campaign_create(root=structure_load())
    answers_load(campaign=campaign, total=1500, progress=lambda n: None)


def test_home_announces_the_survey_in_vietnamese(client: Client, demo: None) -> None:
    page = client.get("/").content.decode()
    assert "Khảo sát sự hài lòng của người dân, tổ chức" in page
    assert "15/11/2024" in page  # the announcement date, Vietnamese format
    assert "1.500" in page  # answers received, thousands grouped with a dot
    assert '<html lang="vi">' in page


def test_home_speaks_english_when_asked(client: Client, demo: None) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "answers received" in page


def test_unit_tree_lists_every_commune_and_ward(client: Client, demo: None) -> None:
    page = client.get("/don-vi/").content.decode()
    assert "Phường Hạc Thành" in page and "Sở Nội vụ" in page
    assert "Xã (147)" in page and "Phường (19)" in page


def test_home_without_any_survey_says_so(client: Client) -> None:
    assert "Chưa có cuộc khảo sát nào" in client.get("/").content.decode()


def test_public_pages_refuse_writes(client: Client) -> None:
    assert client.post("/").status_code in (403, 405)


def test_django_formats_dates_and_numbers_the_vietnamese_way() -> None:
    import datetime as dt

    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.date_format(dt.date(2026, 11, 27)) == "27/11/2026"
        assert formats.number_format(82.66, 2) == "82,66"
        assert formats.number_format(20000, use_l10n=True, force_grouping=True) == "20.000"
