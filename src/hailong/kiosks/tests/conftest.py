"""The route client and the open desk campaign of the collection tests."""

from hailong.collection.tests.conftest import intake, open_campaign

__all__ = ["intake", "open_campaign"]
