"""How the respondent filed their file: given with the answer, or read from the questionnaire.

The national questionnaire asks it as a profile question, ``hinh_thuc_nop``, whose options
1–4 are the four channels. An answer that brings no channel of its own (the web form, paper,
an ODK file) takes the one that question names, so that every way in counts the same as an
API client sending ``filing_channel``; an answer to neither is "not stated", never in person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CHANNELS = ("in_person", "online_full", "online_partial", "postal")
QUESTION = "hinh_thuc_nop"
BY_OPTION = dict(zip((1, 2, 3, 4), CHANNELS, strict=True))


def filing_channel(given: object, answers: Mapping[str, Any]) -> str:
    """``given`` when it is a channel, else the channel :data:`QUESTION` names, else ""."""
    if isinstance(given, str) and given in CHANNELS:
        return given
    option = answers.get(QUESTION)
    if isinstance(option, int) and not isinstance(option, bool):
        return BY_OPTION.get(option, "")
    return ""
