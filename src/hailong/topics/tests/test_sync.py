"""comments_sync: one row per text answer, incremental, idempotent, bounded, re-tags on a new lexicon."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib import resources

import pytest
import yaml
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.comments import comment_tags
from hailong.comments.lexicon import default_lexicon, lexicon_parse
from hailong.topics.models import Comment, CommentSync
from hailong.topics.selectors import topic_counts
from hailong.topics.services import _write, comment_build, comments_sync, lexicon_digest
from hailong.units.models import Unit

from .conftest import Answer

pytestmark = pytest.mark.django_db

LABELLED = yaml.safe_load(
    resources.files("hailong.comments").joinpath("data/labelled.yaml").read_text("utf-8")
)
SENTENCES = [c["text"] for c in LABELLED["tuning"][:60]]


def test_each_text_answer_becomes_one_masked_tagged_row(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    r = answer(units["a"], "Chị Nguyễn Thị Lan ở quầy 3 rất nhiệt tình, gọi 0912 345 678 nếu cần")
    answer(units["a"], None)
    answer(units["b"], "   ")  # only spaces: no comment
    report = comments_sync(campaign=campaign)
    assert (report.tagged, report.complete) == (1, True)
    row = Comment.objects.get()
    assert row.response_id == r.pk and row.question == "y_kien" and row.unit == units["a"]
    assert "Lan" not in row.text and "0912" not in row.text
    assert "Chị [tên]" in row.text and "[số điện thoại]" in row.text
    assert row.search == row.search.lower() and "nhiet tinh" in row.search
    assert "0912" not in row.search  # searching never finds what was masked
    assert row.f3 and row.factors == ["F3"]
    assert sorted(row.masked) == ["name", "phone"]
    assert row.lexicon_digest == lexicon_digest(default_lexicon())


def test_a_second_sync_changes_nothing(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    for text in SENTENCES[:10]:
        answer(units["a"], text)
    assert comments_sync(campaign=campaign).tagged == 10
    before = list(Comment.objects.values_list("id", "tagged_at").order_by("id"))
    again = comments_sync(campaign=campaign)
    assert (again.tagged, again.removed) == (0, 0)
    assert list(Comment.objects.values_list("id", "tagged_at").order_by("id")) == before


def test_only_new_and_changed_answers_are_tagged(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    first = answer(units["a"], "Phòng chờ chật, không đủ ghế")
    second = answer(units["b"], "Cán bộ lịch sự")
    comments_sync(campaign=campaign)
    answer(units["b"], "Trả kết quả trễ hẹn")
    assert comments_sync(campaign=campaign).tagged == 1
    first.answers["y_kien"] = "Phòng chờ đã có thêm ghế, rất tốt"
    first.save()
    second.answers.pop("y_kien")
    second.save()
    report = comments_sync(campaign=campaign)
    assert (report.tagged, report.removed) == (1, 1)
    assert Comment.objects.count() == 2
    assert Comment.objects.get(response=first).tone == "praise"
    assert not Comment.objects.filter(response=second).exists()


def test_a_bound_spreads_the_work_over_calls(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    for text in SENTENCES[:7]:
        answer(units["a"], text)
    answer(units["a"], None)
    reports = [comments_sync(campaign=campaign, limit=3) for _ in range(4)]
    assert [r.tagged for r in reports] == [3, 3, 1, 0]
    assert [r.complete for r in reports] == [False, False, True, True]
    assert CommentSync.objects.get(campaign=campaign).complete
    assert Comment.objects.count() == 7


def test_a_new_lexicon_retags_everything(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    for text in ["Mọi người ở đây nói chuyện nhỏ nhẹ", "Quầy số 2 làm nhanh"]:
        answer(units["a"], text)
    comments_sync(campaign=campaign)
    assert not Comment.objects.filter(f3=True, search__contains="nho nhe").exists()
    data = yaml.safe_load(
        resources.files("hailong.comments").joinpath("lexicon.yaml").read_text("utf-8")
    )
    data["factors"]["F3"]["terms"].append("nói chuyện nhỏ nhẹ")
    edited = lexicon_parse(data)
    report = comments_sync(campaign=campaign, lexicon=edited, limit=1)
    assert (report.tagged, report.complete) == (1, False)
    assert comments_sync(campaign=campaign, lexicon=edited).tagged == 1
    assert set(Comment.objects.values_list("lexicon_digest", flat=True)) == {lexicon_digest(edited)}
    assert Comment.objects.get(search__contains="nho nhe").f3
    assert comments_sync(campaign=campaign, lexicon=edited).tagged == 0


def test_a_rejected_or_moved_answer_follows(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    r = answer(units["a"], "Cán bộ lịch sự")
    comments_sync(campaign=campaign)
    r.unit = units["b"]
    r.save()
    assert comments_sync(campaign=campaign).tagged == 1
    assert Comment.objects.get().unit == units["b"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(picks=st.lists(st.tuples(st.sampled_from(SENTENCES), st.booleans()), max_size=12))
def test_counts_equal_an_independent_count(
    campaign: Campaign, units: dict[str, Unit], answer: Answer, picks: list[tuple[str, bool]]
) -> None:
    Comment.objects.all().delete()
    campaign.response_set.all().delete()
    CommentSync.objects.all().delete()
    expected: Counter[tuple[str, str]] = Counter()
    for text, in_a in picks:
        answer(units["a" if in_a else "b"], text)
        tags = comment_tags(text)
        for factor in tags.factors:
            expected[(factor, tags.tone)] += 1
    comments_sync(campaign=campaign)
    assert topic_counts(Comment.objects.all()) == dict(expected)


def test_an_idle_sync_reads_only_the_latest_answers(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    now = timezone.now()
    for i, text in enumerate(SENTENCES[:6]):
        r = answer(units["a"], text)
        Response.objects.filter(pk=r.pk).update(changed_at=now - dt.timedelta(minutes=60 - i))
    assert comments_sync(campaign=campaign).read == 6
    assert comments_sync(campaign=campaign).read == 1  # the answer at the mark, nothing older


def test_an_answer_committed_late_is_not_missed(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    answer(units["a"], "Cán bộ lịch sự")
    comments_sync(campaign=campaign)
    mark = CommentSync.objects.get(campaign=campaign).mark
    assert mark is not None
    late = answer(units["b"], "Trả kết quả trễ hẹn")  # its transaction began before the sync
    Response.objects.filter(pk=late.pk).update(changed_at=mark - dt.timedelta(seconds=10))
    assert comments_sync(campaign=campaign).tagged == 1
    assert Comment.objects.filter(response=late).exists()


def test_two_syncs_writing_the_same_answer_do_not_collide(
    campaign: Campaign, units: dict[str, Unit], answer: Answer
) -> None:
    """Two pages loaded at once both tag the same new answer: the later write replaces the
    earlier one by (response, question), without knowing its id."""
    r = answer(units["a"], "Cán bộ lịch sự")
    comments_sync(campaign=campaign)  # the first page's sync wrote its row
    state = CommentSync.objects.get(campaign=campaign)
    lex = default_lexicon()
    row = {
        "id": r.pk,
        "campaign_id": campaign.pk,
        "unit_id": r.unit_id,
        "submitted_at": r.submitted_at,
    }
    theirs = comment_build(
        response=row, question="y_kien", text="Cán bộ lịch sự", lexicon=lex, digest="other"
    )
    _write(
        state, new=[theirs], stale=[], mark=state.mark, digest=lexicon_digest(lex),
        complete=True, began=timezone.now(),
    )  # fmt: skip
    assert list(Comment.objects.filter(response=r).values_list("lexicon_digest", flat=True)) == [
        "other"
    ]
