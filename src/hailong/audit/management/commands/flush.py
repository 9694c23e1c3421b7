from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from hailong.audit.guard import TABLE, guard_set


class Command(FlushCommand):
    """Django's flush, which empties every table, the audit log included: the log's guard is
    lifted for this one run (it needs the same rights as dropping the triggers) and put back."""

    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if TABLE not in connection.introspection.table_names():
            super().handle(**options)
            return
        guard_set(connection, on=False)
        try:
            super().handle(**options)
        finally:
            guard_set(connection, on=True)
