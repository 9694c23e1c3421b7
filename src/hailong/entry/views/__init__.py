"""The staff data-entry screens under /quan-tri/nhap-lieu/ (no JavaScript needed)."""

from .files import template_download, upload, upload_commit_view
from .paper import (
    batch_close_view,
    batch_detail,
    batch_new,
    index,
    mismatch_resolve,
    mismatches,
    sheet_entry,
)

__all__ = [
    "batch_close_view",
    "batch_detail",
    "batch_new",
    "index",
    "mismatch_resolve",
    "mismatches",
    "sheet_entry",
    "template_download",
    "upload",
    "upload_commit_view",
]
