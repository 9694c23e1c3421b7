"""The measurement core: instruments, indices, intervals, weighting and sampling.

Plain Python with no Django import, so it can be read, tested and reused alone.
"""

from .errors import InstrumentError, MeasurementError
from .instruments import (
    Aggregation,
    Factor,
    Instrument,
    Part,
    Question,
    Section,
    ShowIf,
    builtin_instruments,
    digest,
    load_instrument,
    parse_instrument,
)
from .labels import Label
from .scales import BUILTIN_SCALES, Option, Scale

__all__ = [
    "BUILTIN_SCALES",
    "Aggregation",
    "Factor",
    "Instrument",
    "InstrumentError",
    "Label",
    "MeasurementError",
    "Option",
    "Part",
    "Question",
    "Scale",
    "Section",
    "ShowIf",
    "builtin_instruments",
    "digest",
    "load_instrument",
    "parse_instrument",
]
