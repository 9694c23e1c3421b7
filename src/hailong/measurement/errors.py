"""Errors raised by the measurement core.

    MeasurementError
     └── InstrumentError        an instrument definition is invalid
          (carries ``path``, the location of the bad element, e.g. ``factors[2].code``)

Messages come in Vietnamese and English, because coordinators read them.
"""

from __future__ import annotations


class MeasurementError(Exception):
    """Base class of every error of the measurement core."""


class InstrumentError(MeasurementError):
    """An instrument definition breaks the schema.

    ``path`` names the bad element, ``message_vi`` and ``message_en`` say why.
    """

    def __init__(self, path: str, message_vi: str, message_en: str) -> None:
        self.path = path
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"{path}: {message_vi} / {message_en}")
