"""The ``hailong`` command: a short, plain front door to the management commands.

``hailong demo``, ``hailong serve``, ``hailong migrate``, ``hailong createadmin`` and the
rest are Django management commands living in the app they act on; this module lists
the ones a person needs, turns configuration errors into one clear line, and passes
everything else to Django.
"""

from __future__ import annotations

import os
import sys

COMMANDS: dict[str, str] = {
    "demo": "set up the demo province (Thanh Hóa) with a 2024 survey and serve it",
    "serve": "serve hailong on http://127.0.0.1:8000 (granian, ASGI)",
    "migrate": "create or update the database tables",
    "createadmin": "create an administrator account and print its password once",
    "compute": "recompute a campaign's indices with their intervals and store them",
    "publish": "publish a campaign's latest results on the public portal",
    "campaign": "move a campaign one step (open, close, reopen, publish) with a reason",
    "import-units": "import units (departments, centres, communes) from a CSV or YAML file",
    "import-services": "import administrative procedures from a CSV or YAML file",
    "plan": "propose quotas per unit from the sample-size planner (--apply to save)",
    "import-volumes": "import completed files per unit (and procedure or channel) for a campaign",
    "xlsform": "export a questionnaire as an XLSForm for ODK Collect / KoboCollect",
    "import-odk": "import answers collected with ODK Collect / KoboCollect (CSV or XLSX export)",
    "qrcodes": "print a unit's QR poster (--poster) or sheet of slips (--slips) as PDF",
    "report": "write the official report (PDF), a unit's scorecard, the workbook (XLSX) or PAR table; "
    "--worker makes the documents asked for on the staff report page",
    "opendata": "write the open data files (CSV, XLSX, Parquet, JSON) of published results ahead of use",
    "audit": "check the audit log's hash chain (audit verify) or export it (audit export)",
    "comments": "tag comments (one a line) by factor and tone, show why, and mask personal data",
    "cases": "complaints and suggestions: 'cases tick' sends reminders, escalates overdue cases and sends queued e-mail",
    "changepassword": "set a new password for an account",
}
ALIASES = {
    "import-units": "import_units",
    "import-services": "import_services",
    "import-volumes": "import_volumes",
    "import-odk": "import_odk",
}
USAGE = """hailong — đo lường sự hài lòng với dịch vụ hành chính công
          measuring satisfaction with public administrative services

usage: hailong COMMAND [options]    (hailong COMMAND --help for its options)

commands:
{commands}

configuration (environment variables):
  HAILONG_DATABASE_URL   sqlite:///var/hailong.sqlite3 (default) or postgresql://user@host/db
  HAILONG_VAR_DIR        folder for the database, secret key and generated files (default ./var)
  HAILONG_DEBUG          1 to show debugging pages (never in production)
  HAILONG_ALLOWED_HOSTS  host names served, comma-separated (default 127.0.0.1,localhost)
"""


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items())
    return USAGE.format(commands=lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    if args[0] in ("--version", "version"):
        import hailong

        print(f"hailong {hailong.__version__}")
        return 0
    args[0] = ALIASES.get(args[0], args[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hailong.settings.base")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
        _check_database(args[0])
        from django.core.management import execute_from_command_line

        execute_from_command_line(["hailong", *args])
    except ImproperlyConfigured as exc:
        print(f"hailong: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def _check_database(command: str) -> None:
    """Fail in one line if the database cannot be reached, before any command starts."""
    if command in ("help", "makemessages", "compilemessages", "collectstatic", "comments"):
        return
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImproperlyConfigured(
            f"cannot open the database ({reason}): check HAILONG_DATABASE_URL."
        ) from exc


if __name__ == "__main__":
    sys.exit(main())
