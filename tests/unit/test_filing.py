"""The filing channel: given with the answer, else named by the questionnaire's own question."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hailong.collection.filing import CHANNELS, QUESTION, filing_channel


def test_the_question_s_four_options_are_the_four_channels_and_nothing_else_is() -> None:
    assert [filing_channel("", {QUESTION: v}) for v in (1, 2, 3, 4)] == list(CHANNELS)
    for other in (0, 5, 99, True, "1", 1.0, None, [1]):
        assert filing_channel("", {QUESTION: other}) == ""
    assert filing_channel("", {}) == ""  # not stated is not "in person"


@given(st.sampled_from(CHANNELS), st.one_of(st.none(), st.integers(1, 4)))
def test_a_channel_given_with_the_answer_wins(given_channel: str, option: int | None) -> None:
    answers = {} if option is None else {QUESTION: option}
    assert filing_channel(given_channel, answers) == given_channel
