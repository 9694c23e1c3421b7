"""Paper entry: batches, the entry screen, double entry with its mismatches, unit scope."""

from __future__ import annotations

import pytest
from django.test import Client

from hailong.accounts.models import User
from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.entry.models import PaperBatch, PaperEntry, PaperResolution
from hailong.entry.selectors import batch_progress, batch_sheets
from hailong.entry.services import EntryRefused, SheetRejected, batch_open, sheet_enter
from hailong.units.models import Service, Unit

from .conftest import sheet

pytestmark = pytest.mark.django_db


def batch_of(campaign: Campaign, unit: Unit, user: User, *, double: bool = True) -> PaperBatch:
    return batch_open(
        user=user, campaign=campaign, unit=unit, number="07/2025", expected_sheets=20, double_entry=double
    )  # fmt: skip


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def typed_post(number: int, typed: dict[str, str], procedure: str = "") -> dict[str, str]:
    return {"sheet_number": str(number), "procedure": procedure} | {
        f"q_{code}": value for code, value in typed.items()
    }


def test_identical_double_entry_is_stored_once(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User], service: Service
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    typed = sheet(f2_3="5", y_kien="Cán bộ nhiệt tình")
    first = sheet_enter(
        batch=batch, clerk=people["lan"], sheet_number=1, typed=typed, service="1.001193"
    )
    assert first == "waiting" and not Response.objects.exists()
    second = sheet_enter(
        batch=batch, clerk=people["minh"], sheet_number=1, typed=typed, service="1.001193"
    )
    assert second == "stored"
    stored = Response.objects.get()
    assert stored.idempotency_key == batch.key(1) and stored.source == "paper"
    assert stored.collection_mode == "paper" and stored.service == service
    assert stored.answers["f2_3"] == 5 and stored.answers["y_kien"] == "Cán bộ nhiệt tình"
    assert stored.profile["gioi_tinh"] == 2 and "gioi_tinh" not in stored.answers
    assert "f5_1" not in stored.answers  # hidden by the skip rule, left blank
    progress = batch_progress(batch=batch, sheets=batch_sheets(batch=batch))
    assert (progress.entered, progress.matched, progress.mismatched, progress.stored) == (
        1,
        1,
        0,
        1,
    )
    with pytest.raises(EntryRefused, match="already been typed"):
        sheet_enter(batch=batch, clerk=people["hoa"], sheet_number=1, typed=typed, service="")
    assert Response.objects.count() == 1


def test_the_same_clerk_cannot_type_both_copies(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    sheet_enter(batch=batch, clerk=people["lan"], sheet_number=3, typed=sheet(), service="")
    with pytest.raises(EntryRefused, match="another clerk"):
        sheet_enter(batch=batch, clerk=people["lan"], sheet_number=3, typed=sheet(), service="")
    page = signed_in(people["lan"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/", typed_post(3, sheet())
    )
    assert page.status_code == 400
    assert "bản thứ hai phải do cán bộ khác nhập" in page.content.decode()
    assert PaperEntry.objects.count() == 1 and not Response.objects.exists()


def test_a_mismatch_is_caught_listed_resolved_and_stored_once(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    lan, minh = signed_in(people["lan"]), signed_in(people["minh"])
    url = f"/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/"
    assert lan.post(url, typed_post(2, sheet(f1_1="4"))).status_code == 302
    answer = minh.post(url, typed_post(2, sheet(f1_1="5", hinh_thuc_nop="2")), follow=True)
    assert "khác bản thứ nhất" in answer.content.decode() or "differs" in answer.content.decode()
    assert not Response.objects.exists()

    listing = (
        signed_in(people["hoa"])
        .get(f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/")
        .content.decode()
    )
    assert "f1_1" in listing and "hinh_thuc_nop" in listing and "f1_2" not in listing
    assert "4 – Hài lòng" in listing and "5 – Rất hài lòng" in listing  # side by side, with labels
    progress = batch_progress(batch=batch, sheets=batch_sheets(batch=batch))
    assert (progress.entered, progress.matched, progress.mismatched, progress.stored) == (
        1,
        0,
        1,
        0,
    )

    # A clerk who typed a copy cannot settle it.
    own = lan.post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/2/",
        {"pick-f1_1": "first", "pick-hinh_thuc_nop": "first"},
    )
    assert own.status_code == 400 and "người thứ ba" in own.content.decode()
    # A choice left out is named, and nothing is stored.
    partial = signed_in(people["hoa"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/2/", {"pick-f1_1": "second"}
    )
    assert partial.status_code == 400 and "hinh_thuc_nop" in partial.content.decode()
    assert not Response.objects.exists() and not PaperResolution.objects.exists()

    done = signed_in(people["hoa"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/2/",
        {"pick-f1_1": "second", "pick-hinh_thuc_nop": "other", "other-hinh_thuc_nop": "3"},
    )
    assert done.status_code == 302
    stored = Response.objects.get()
    assert stored.answers["f1_1"] == 5 and stored.profile["hinh_thuc_nop"] == 3
    assert stored.filing_channel == "online_partial"  # what the filing question's answer names
    resolution = PaperResolution.objects.get()
    assert resolution.resolved_by == people["hoa"] and resolution.sheet_number == 2
    assert resolution.differences == {
        "f1_1": {"first": "4", "second": "5", "kept": "5"},
        "hinh_thuc_nop": {"first": "1", "second": "2", "kept": "3"},
    }
    again = signed_in(people["dieuphoi"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/2/",
        {"pick-f1_1": "first", "pick-hinh_thuc_nop": "first"},
    )
    assert again.status_code == 400 and Response.objects.count() == 1
    assert Response.objects.get().answers["f1_1"] == 5
    page = signed_in(people["hoa"]).get(f"/quan-tri/nhap-lieu/lo/{batch.pk}/").content.decode()
    assert "resolved by hoa" in page or "hoa xử lý" in page


def test_a_coordinator_may_settle_a_sheet_they_typed(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["dieuphoi"])
    sheet_enter(
        batch=batch, clerk=people["dieuphoi"], sheet_number=1, typed=sheet(f3_1="2"), service=""
    )
    assert (
        sheet_enter(
            batch=batch, clerk=people["lan"], sheet_number=1, typed=sheet(f3_1="3"), service=""
        )
        == "mismatch"
    )
    answer = signed_in(people["dieuphoi"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/sai-khac/1/", {"pick-f3_1": "first"}
    )
    assert answer.status_code == 302 and Response.objects.get().answers["f3_1"] == 2


def test_without_double_entry_a_sheet_is_stored_at_once(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"], double=False)
    assert (
        sheet_enter(batch=batch, clerk=people["lan"], sheet_number=1, typed=sheet(), service="")
        == "stored"
    )
    with pytest.raises(EntryRefused):
        sheet_enter(
            batch=batch, clerk=people["minh"], sheet_number=1, typed=sheet(tuoi="1"), service=""
        )
    assert Response.objects.count() == 1 and Response.objects.get().profile["tuoi"] == 3


def test_errors_name_the_question_keep_the_typing_and_save_nothing(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    typed = sheet(f1_1="7", gave_feedback="2", f5_1="4", tuoi="")
    page = signed_in(people["lan"]).post(
        f"/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/", typed_post(1, typed, "9.999")
    )
    text = page.content.decode()
    assert page.status_code == 400
    assert "Câu f1_1 (" in text and "is not a valid code (choose: 1, 2, 3, 4, 5, 99)" in text
    assert "f5_1" in text and "must be blank, because question gave_feedback skips it" in text
    assert "procedure code &#x27;9.999&#x27; is not in the list" in text
    assert 'name="q_f1_1" id="id_q_f1_1" value="7"' in text  # what was typed is kept
    assert 'aria-invalid="true"' in text
    assert not PaperEntry.objects.exists() and not Response.objects.exists()
    with pytest.raises(SheetRejected) as caught:
        sheet_enter(
            batch=batch,
            clerk=people["lan"],
            sheet_number=1,
            typed=sheet(gave_feedback=""),
            service="",
        )
    assert [p.code for p in caught.value.problems] == ["gave_feedback"]


def test_the_entry_screen_is_ready_for_the_next_sheet(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    client = signed_in(people["lan"])
    url = f"/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/"
    first = client.get(url).content.decode()
    assert 'name="sheet_number" id="id_sheet_number" value="1"' in first
    assert 'id="id_q_gioi_tinh" value="" autocomplete="off" inputmode="numeric" autofocus' in first
    assert "<b>1</b> Nam" in first  # the code legend
    after = client.post(url, typed_post(1, sheet()), follow=True).content.decode()
    assert 'name="sheet_number" id="id_sheet_number" value="2"' in after
    assert "Phiếu số 1 đã ghi; chờ cán bộ khác nhập bản thứ hai" in after
    # The second clerk starts at sheet 1, which still needs its second copy.
    other = signed_in(people["minh"]).get(url).content.decode()
    assert 'name="sheet_number" id="id_sheet_number" value="1"' in other


def test_a_clerk_of_one_unit_cannot_open_or_type_a_batch_of_another(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    binh = signed_in(people["binh"])  # a clerk of the commune (unit B)
    form = binh.get("/quan-tri/nhap-lieu/lo/moi/").content.decode()
    assert "Xã Đông Tiến" in form and "Phường Hạc Thành" not in form
    refused = binh.post(
        "/quan-tri/nhap-lieu/lo/moi/",
        {
            "campaign": campaign.pk,
            "unit": province["a"].pk,
            "number": "1",
            "expected_sheets": "5",
            "double_entry": "on",
        },
    )
    assert refused.status_code == 403 and "ngoài phạm vi" in refused.content.decode()
    assert not PaperBatch.objects.exists()
    batch = batch_of(campaign, province["a"], people["lan"])
    for url in (f"lo/{batch.pk}/", f"lo/{batch.pk}/nhap/", f"lo/{batch.pk}/sai-khac/"):
        assert binh.get("/quan-tri/nhap-lieu/" + url).status_code == 403
    assert (
        binh.post(f"/quan-tri/nhap-lieu/lo/{batch.pk}/nhap/", typed_post(1, sheet())).status_code
        == 403
    )
    assert not PaperEntry.objects.exists()
    opened = binh.post(
        "/quan-tri/nhap-lieu/lo/moi/",
        {"campaign": campaign.pk, "unit": province["b"].pk, "number": "1", "expected_sheets": "5"},
    )
    assert (
        opened.status_code == 302
        and PaperBatch.objects.get(unit=province["b"]).double_entry is False
    )


def test_the_entry_screens_need_a_signed_in_clerk(
    people: dict[str, User], campaign: Campaign
) -> None:
    anonymous = Client().get("/quan-tri/nhap-lieu/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/dang-nhap/?next=")
    assert signed_in(people["xem"]).get("/quan-tri/nhap-lieu/").status_code == 403  # a viewer
    assert signed_in(people["lan"]).get("/quan-tri/nhap-lieu/").status_code == 200


def test_a_batch_number_is_used_once_and_a_closed_batch_takes_no_sheet(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    with pytest.raises(EntryRefused, match="already exists"):
        batch_of(campaign, province["a"], people["minh"])
    signed_in(people["lan"]).post(f"/quan-tri/nhap-lieu/lo/{batch.pk}/dong/")
    with pytest.raises(EntryRefused, match="closed"):
        sheet_enter(batch=batch, clerk=people["lan"], sheet_number=1, typed=sheet(), service="")
    with pytest.raises(EntryRefused, match="between 1 and 20"):
        batch.closed_at = None
        batch.save()
        sheet_enter(batch=batch, clerk=people["lan"], sheet_number=21, typed=sheet(), service="")


def test_the_admin_lists_batches_copies_and_resolutions_in_vietnamese(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    batch = batch_of(campaign, province["a"], people["lan"])
    sheet_enter(batch=batch, clerk=people["lan"], sheet_number=1, typed=sheet(), service="")
    admin = User.objects.create_superuser("quantri", password="mat-khau-rat-dai-2026")
    client = signed_in(admin)
    assert "Lô phiếu giấy" in client.get("/quan-tri/entry/paperbatch/").content.decode()
    copies = client.get("/quan-tri/entry/paperentry/").content.decode()
    assert "Bản nhập phiếu" in copies or "bản nhập phiếu" in copies
    assert client.get("/quan-tri/entry/paperresolution/").status_code == 200


def test_forms_of_a_unit_merged_after_their_bundle_was_opened_stay_with_that_unit(
    campaign: Campaign, province: dict[str, Unit], people: dict[str, User]
) -> None:
    import datetime as dt

    from django.utils import timezone

    batch = batch_of(campaign, province["a"], people["lan"], double=False)
    PaperBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    batch.refresh_from_db()
    # the unit is merged away two days ago: the bundle's forms were filled before that
    Unit.objects.filter(pk=province["a"].pk).update(
        valid_to=timezone.localdate() - dt.timedelta(days=2)
    )
    typed = sheet_enter(batch=batch, clerk=people["lan"], sheet_number=1, typed=sheet(), service="")
    assert typed == "stored"
    stored = Response.objects.get()
    assert stored.unit_id == province["a"].pk and stored.submitted_at == batch.created_at
    # a new bundle for the ended unit is refused, saying why
    province["a"].refresh_from_db()
    with pytest.raises(EntryRefused, match="unit now in charge") as refused:
        batch_open(user=people["lan"], campaign=campaign, unit=province["a"], number="08/2025",
                   expected_sheets=5, double_entry=False)  # fmt: skip
    assert "hết hiệu lực" in refused.value.message_vi
    assert PaperBatch.objects.count() == 1


def test_no_channel_stores_an_answer_dated_after_its_unit_ended(
    campaign: Campaign, province: dict[str, Unit]
) -> None:
    import datetime as dt

    from django.utils import timezone

    from hailong.collection.services import Incoming, UnitNotValid, responses_import

    unit = province["a"]
    Unit.objects.filter(pk=unit.pk).update(valid_to=dt.date(2025, 3, 31))
    unit.refresh_from_db()
    on_time = Incoming(
        key="k-1",
        submitted_at=timezone.make_aware(dt.datetime(2025, 3, 31, 16)),
        answers={"f1_1": 5},
    )
    late = Incoming(
        key="k-2", submitted_at=timezone.make_aware(dt.datetime(2025, 4, 1, 8)), answers={"f1_1": 5}
    )
    with pytest.raises(UnitNotValid, match="31/03/2025"):
        responses_import(
            campaign=campaign,
            unit=unit,
            incoming=[on_time, late],
            source="import",
            collection_mode="paper",
        )
    assert not Response.objects.exists()  # all or nothing
    report = responses_import(
        campaign=campaign, unit=unit, incoming=[on_time], source="import", collection_mode="paper"
    )
    assert report.stored == 1
    with pytest.raises(UnitNotValid):  # undated: stored today, long after
        responses_import(
            campaign=campaign,
            unit=unit,
            incoming=[Incoming(key="k-3", submitted_at=None, answers={"f1_1": 4})],
            source="import",
            collection_mode="paper",
        )
