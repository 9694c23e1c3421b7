"""The REST API: one router per app is mounted here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

import hailong
from hailong.integrations.api import api_key_refused
from hailong.integrations.selectors import ApiKeyRefused
from hailong.invitations.api import router as invitations_router


class HailongAPI(NinjaAPI):
    """The API; its document also describes the submission route served in front of Django."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        from hailong.collection.openapi import security_schemes, submission_path

        schema = super().get_openapi_schema(**kwargs)
        schema["paths"].update(submission_path())
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {}).update(security_schemes())
        return schema


api = HailongAPI(
    title="hailong API",
    version=hailong.__version__,
    description="Đo lường sự hài lòng với dịch vụ hành chính công / "
    "Measuring satisfaction with public administrative services.",
    urls_namespace="api",
)


class HealthOut(Schema):
    status: str
    version: str


@api.get("/health", response=HealthOut, tags=["system"], summary="Is the service up?")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok", "version": hailong.__version__}


api.add_exception_handler(ApiKeyRefused, api_key_refused)  # type: ignore[arg-type]
api.add_router("/v1/", invitations_router)
