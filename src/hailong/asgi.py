"""The ASGI application granian serves: the submission route in front of Django.

The answer-submission paths go to :class:`hailong.collection.intake.Intake`, a plain ASGI
callable that hands each checked answer to the server's writer process (``hailong serve``),
or to a writer thread of its own when served without one; every other request goes to Django.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hailong.settings.base")
django_application = get_asgi_application()

from hailong.collection.intake import PATHS, Intake  # noqa: E402  (needs Django set up)

intake = Intake()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] in PATHS:
        await intake(scope, receive, send)
    else:
        await django_application(scope, receive, send)
