"""Reading Vietnamese comments: normalise, tag by SIPAS factor and tone, mask personal data.

Plain Python, never imports Django (``tests/unit/test_import_guard.py``)::

    normalise   NFC, spaces, syllables with their place, short forms written out
    tokens      pyvi word segmentation
    lexicon     lexicon.yaml: factor terms, tone cues, negators (a coordinator edits it)
    classify    comment_tags(text) -> Tags(factors, tone, evidence)
    mask        mask(text) -> Masked(text, found)

How tagging works and how well: docs/comments.md.
"""

from hailong.comments.classify import Evidence, Tags, comment_tags
from hailong.comments.lexicon import Lexicon, LexiconError, lexicon_load
from hailong.comments.mask import Masked, mask
from hailong.comments.normalise import normalise, strip_diacritics

__all__ = [
    "Evidence",
    "Lexicon",
    "LexiconError",
    "Masked",
    "Tags",
    "comment_tags",
    "lexicon_load",
    "mask",
    "normalise",
    "strip_diacritics",
]
