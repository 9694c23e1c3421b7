"""The measurement core must stay free of Django, so it can be read, tested and reused alone."""

import subprocess
import sys


def test_measurement_core_imports_no_django() -> None:
    code = (
        "import sys, hailong.measurement, hailong.measurement.instruments, hailong.measurement.scales; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_comments_package_imports_no_django() -> None:
    code = (
        "import sys, hailong.comments, hailong.comments.classify, hailong.comments.mask, "
        "hailong.comments.tokens; "
        "hailong.comments.comment_tags('Cán bộ không lịch sự'); "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
