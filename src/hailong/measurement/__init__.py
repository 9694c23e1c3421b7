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
from .sampling import allocate, cochran, krejcie_morgan, margin_of_error, quotas
from .scales import BUILTIN_SCALES, Option, Scale
from .xlsform import (
    Problem,
    Submission,
    SubmissionError,
    code_from_xlsform_name,
    read_submissions,
    to_xlsform,
    xlsform_name,
)

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
    "Problem",
    "Question",
    "Scale",
    "Section",
    "ShowIf",
    "Submission",
    "SubmissionError",
    "allocate",
    "builtin_instruments",
    "cochran",
    "code_from_xlsform_name",
    "digest",
    "krejcie_morgan",
    "load_instrument",
    "margin_of_error",
    "parse_instrument",
    "quotas",
    "read_submissions",
    "to_xlsform",
    "xlsform_name",
]
