"""Print the comment tagger's precision and recall at the end of every test run (make test)."""

from __future__ import annotations

import pytest

_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def comment_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines that tests add for the terminal summary."""
    return request.config.stash.setdefault(_REPORT, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("comment tagger: precision / recall (hailong.comments)")
        for line in lines:
            terminalreporter.write_line(line)
