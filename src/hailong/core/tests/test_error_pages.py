"""The error pages are the site's own, in Vietnamese first: 404, 500 and a refused form."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation
from django.views import defaults

from hailong.accounts.models import Role, RoleAssignment, User
from hailong.cases.services import case_submit
from hailong.units.models import Unit, UnitKind
from hailong.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, for the 500 page")


# this module is also a URL configuration: the site's, and a page that fails (for the 500 test)
urlpatterns = [path("test-loi-may-chu/", _boom), *site_urlpatterns]


@pytest.fixture(autouse=True)
def _production(settings: Any) -> None:
    settings.DEBUG = False


def vi(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


def test_an_unknown_address_gives_the_site_page_in_vietnamese(client: Client) -> None:
    reply = client.get("/khong-co-trang-nay/")
    page = reply.content.decode()
    assert reply.status_code == 404
    assert '<html lang="vi">' in page
    assert "<title>Không tìm thấy trang · hailong</title>" in page
    assert "<h1>Không tìm thấy trang</h1>" in page
    assert 'aria-label="Menu chính"' in page and ">Trang chủ</a>" in page  # the site's menu
    assert 'href="/gop-y/tra-cuu/"' in page and 'href="/khao-sat/"' in page  # the next steps
    assert "/khong-co-trang-nay/" in page  # the address asked for
    assert "Resolver404" not in page and "Not Found" not in page
    assert "The requested resource" not in page


def test_the_page_is_in_english_for_an_english_reader(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get("/ket-qua/NOPE/").content.decode()
    assert '<html lang="en">' in page and "<h1>Page not found</h1>" in page
    assert "matches the given query" not in page  # get_object_or_404's English note is not shown


def test_a_bad_receipt_says_why(client: Client) -> None:
    reply = client.get("/cam-on/NOPE-0000/")
    assert reply.status_code == 404
    page = reply.content.decode()
    assert vi("There is no answer with this receipt number.") in page
    assert "<h1>Không tìm thấy trang</h1>" in page


def test_staff_asking_for_another_units_case_read_the_reason(client: Client) -> None:
    province = Unit.objects.create(code="38", name="Tỉnh Thanh Hóa", kind=UnitKind.PROVINCE)
    one = Unit.objects.create(
        code="14797", name="Phường Hạc Thành", kind=UnitKind.WARD, parent=province
    )
    two = Unit.objects.create(
        code="14800", name="Phường Quảng Phú", kind=UnitKind.WARD, parent=province
    )
    manager = User.objects.create_user("quanly1", password="mat-khau-rat-dai-2026")
    RoleAssignment.objects.create(user=manager, role=Role.UNIT_MANAGER, unit=one)
    theirs = case_submit(unit=two, kind="suggestion", text="Nên có thêm ghế")
    client.force_login(manager)
    reply = client.get(f"/can-bo/phan-anh/{theirs.pk}/")
    page = reply.content.decode()
    assert reply.status_code == 404
    assert vi("There is no such case among your units.") in page
    assert "Tỉnh Thanh Hóa" in page  # the province in the site's header
    assert 'href="/can-bo/"' in page  # a signed-in person is offered the staff home
    assert theirs.code not in page


@pytest.mark.parametrize(
    "note",
    [
        "unit outside the user's scope",  # a note for developers, English: not shown
        "No Unit matches the given query.",  # get_object_or_404's, English: not shown
        "Http404",  # no message: the class name
    ],
)
def test_notes_not_written_for_people_are_not_shown(note: str) -> None:
    request = RequestFactory().get("/can-bo/bang-dieu-khien/x/")
    with translation.override("vi"):
        page = defaults.page_not_found(request, Http404(note)).content.decode()
    assert "<h1>Không tìm thấy trang</h1>" in page and note not in page


def test_a_form_sent_without_its_token_gets_the_sites_403_page() -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/gop-y/")  # sets the CSRF cookie, as a browser would
    reply = browser.post(
        "/gop-y/",
        {"don_vi": "14797", "noi_dung": "x"},
        HTTP_REFERER="http://testserver/gop-y/?don-vi=1",
    )
    page = reply.content.decode()
    assert reply.status_code == 403
    assert "<h1>Không gửi được biểu mẫu</h1>" in page and 'aria-label="Menu chính"' in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
    assert '<a href="http://testserver/gop-y/?don-vi=1">Mở lại biểu mẫu</a>' in page
    assert (
        vi(
            "Your browser did not send this site's cookie. Please allow cookies for this site, then try again."
        )
        not in page
    )


def test_a_form_sent_without_cookies_says_so_and_links_only_to_this_site() -> None:
    reply = Client(enforce_csrf_checks=True).post(
        "/i18n/setlang/", {"language": "en"}, HTTP_REFERER="https://example.com/lure/"
    )
    page = reply.content.decode()
    assert reply.status_code == 403 and "<h1>Không gửi được biểu mẫu</h1>" in page
    assert (
        vi(
            "Your browser did not send this site's cookie. Please allow cookies for this site, then try again."
        )
        in page
    )
    assert "example.com" not in page
    assert reply["Cache-Control"] == "no-store"


def test_the_500_page_renders_with_an_empty_context_and_no_database(
    django_assert_num_queries: Any,
) -> None:
    with translation.override("vi"), django_assert_num_queries(0):
        page = get_template("500.html").render({})
    assert '<html lang="vi">' in page and "<h1>Đã xảy ra lỗi ở phía hệ thống</h1>" in page
    assert 'href="/static/core/site.css"' in page and 'href="/gop-y/tra-cuu/"' in page
    assert 'id="main"' in page


def test_a_failing_page_gets_the_500_page(settings: Any) -> None:
    settings.ROOT_URLCONF = "hailong.core.tests.test_error_pages"  # this module
    reply = Client(raise_request_exception=False).get("/test-loi-may-chu/")
    assert reply.status_code == 500
    assert "<h1>Đã xảy ra lỗi ở phía hệ thống</h1>" in reply.content.decode()
