"""Mask personal data in a comment before it is shown outside the unit or published.

What is masked, in this order (each replaced by a bracketed Vietnamese word):

- e-mail addresses → ``[email]``;
- Vietnamese phone numbers → ``[số điện thoại]``: a mobile number of 10 digits (03, 05, 07,
  08, 09 …) or a landline of 11 digits (02xx …), starting with 0, 84 or +84, the digits
  grouped with spaces, dots or dashes ("0912 345 678", "+84 912.345.678", "0237 3852 123");
- identity numbers → ``[số giấy tờ]``: 9 digits (CMND) or 12 digits (CCCD) standing alone;
- names → ``[tên]``: one to four capitalised syllables after anh, chị, ông, bà, em, cô, chú or
  bác ("chị Nguyễn Thị Lan" → "chị [tên]").

Not masked: dates ("12/05/2024"), amounts ("1.500.000 đồng"), file numbers
("H38.99-241120-0001": its digits touch letters, dots and dashes), "ông bà" with no name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hailong.comments.normalise import normalise

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.,/-])(?:\(?\+84\)?|84|0)(?:[ .-]?\d){8,10}(?![\w/-]|[.,]\d)")
_ID = re.compile(r"(?<![\w.,/-])(?:\d{12}|\d{9})(?![\w/-]|[.,]\d)")
_HONORIFIC = r"(?i:anh|chị|ông|bà|em|cô|chú|bác)"
_NAME = re.compile(rf"(?<!\w)({_HONORIFIC})((?:\s+[^\W\d_][^\W\d_]*){{1,4}})")

PLACEHOLDERS = {
    "email": "[email]",
    "phone": "[số điện thoại]",
    "id": "[số giấy tờ]",
    "name": "[tên]",
}


@dataclass(frozen=True)
class Masked:
    """The masked text and the kinds of data found ("email", "phone", "id", "name"), kind by kind."""

    text: str
    found: list[str] = field(default_factory=list)


def _is_phone(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if digits.startswith("84"):
        digits = "0" + digits[2:]
    if len(digits) == 10:
        return digits[1] in "35789"
    return len(digits) == 11 and digits[1] == "2"


def _capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or word[1:].islower())


def mask(text: str) -> Masked:
    """Replace e-mail addresses, phone numbers, ID numbers and names after a form of address.

    >>> mask("Gọi chị Lan 0912 345 678").text
    'Gọi chị [tên] [số điện thoại]'
    """
    found: list[str] = []

    def sub(kind: str, pattern: re.Pattern[str], value: str, check=None) -> str:  # type: ignore[no-untyped-def]
        def one(m: re.Match[str]) -> str:
            if check is not None and not check(m.group()):
                return m.group()
            found.append(kind)
            return PLACEHOLDERS[kind]

        return pattern.sub(one, value)

    out = sub("email", _EMAIL, normalise(text))
    out = sub("phone", _PHONE, out, _is_phone)
    out = sub("id", _ID, out)

    pos = 0
    while (m := _NAME.search(out, pos)) is not None:
        taken = 0
        for w in m.group(2).split():
            if not _capitalised(w):
                break
            taken += 1
        if taken == 0:
            pos = m.start(2)
            continue
        # the span of the honorific and its capitalised words, nothing after them
        end = (
            m.start(2)
            + len(" ".join(m.group(2).split()[:taken]))
            + (len(m.group(2)) - len(m.group(2).lstrip()))
        )
        found.append("name")
        out = out[: m.end(1)] + " " + PLACEHOLDERS["name"] + out[end:]
        pos = m.end(1) + 1 + len(PLACEHOLDERS["name"])
    return Masked(out, found)
