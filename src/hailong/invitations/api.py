"""REST operations for integrating systems: create invitation codes, read them, read receipts."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from hailong.campaigns.models import Campaign
from hailong.collection.models import Response
from hailong.collection.receipts import receipt_normalise
from hailong.core.imports import ImportRejected
from hailong.integrations.api import api_key_auth, error_response
from hailong.integrations.models import ApiKey

from .codes import code_display, code_normalise
from .links import invitation_url, qr_svg
from .models import InvitationCode
from .selectors import invitation_status
from .services import MAX_ROWS, OutsideScope, invitations_create

MAX_BYTES = 2 * 1024 * 1024
router = Router()


class ErrorOut(Schema):
    message: str
    extra: dict[str, Any]


class InvitationRowIn(Schema):
    file_number: str
    unit_code: str
    service_code: str | None = None
    completed_on: dt.date
    expires_on: dt.date | None = None


class InvitationsIn(Schema):
    campaign: str
    rows: list[InvitationRowIn]


class InvitationOut(Schema):
    code: str
    display: str
    campaign: str
    file_number: str
    unit_code: str
    service_code: str | None
    completed_on: dt.date
    expires_on: dt.date
    status: str
    used_at: dt.datetime | None
    url: str
    qr_url: str


class CreatedOut(InvitationOut):
    row: int
    created: bool


class ReceiptOut(Schema):
    receipt: str
    stored: bool
    campaign: str | None = None
    unit_code: str | None = None
    submitted_on: dt.date | None = None
    review: str | None = None
    verified: bool | None = None


def _out(request: HttpRequest, invitation: InvitationCode, today: dt.date) -> dict[str, Any]:
    return {
        "code": invitation.code,
        "display": code_display(invitation.code),
        "campaign": invitation.campaign.code,
        "file_number": invitation.file_number,
        "unit_code": invitation.unit.code,
        "service_code": invitation.service.code if invitation.service else None,
        "completed_on": invitation.completed_on,
        "expires_on": invitation.expires_on,
        "status": invitation_status(invitation, today=today),
        "used_at": invitation.used_at,
        "url": invitation_url(invitation.code, request),
        "qr_url": request.build_absolute_uri(f"/api/v1/invitations/{invitation.code}/qr.svg"),
    }


def _body(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The JSON body, refused with 413 when oversized and 422 when it is not the schema's shape."""
    too_big = error_response(
        f"Nội dung quá lớn: tối đa {MAX_ROWS} dòng và 2 MB một lần.",
        f"The body is too large: at most {MAX_ROWS} rows and 2 MB at once.",
        413,
    )
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES:
        return too_big
    raw = request.body
    if len(raw) > MAX_BYTES:
        return too_big
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error_response(
            "Nội dung không phải JSON hợp lệ.", "The body is not valid JSON.", 422
        )
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return error_response(
            "Cần một đối tượng JSON có 'campaign' và danh sách 'rows'.",
            "Send a JSON object with 'campaign' and a list 'rows'.",
            422,
        )
    if len(data["rows"]) > MAX_ROWS:
        return too_big
    return data


@router.post(
    "/invitations",
    tags=["invitations"],
    auth=api_key_auth("invitations:write"),
    response={
        200: list[CreatedOut],
        201: list[CreatedOut],
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
    },
    summary="Create invitation codes / Tạo mã mời",
    description=(
        "Tạo mã mời đánh giá cho tối đa 5.000 hồ sơ đã trả kết quả, tất cả hoặc không gì cả. "
        "Gửi lại cùng mã hồ sơ thì nhận lại mã cũ. Lỗi ở dòng nào được nêu theo dòng (từ 1) và trường.\n\n"
        "Create invitation codes for up to 5,000 completed files, all or nothing. The same file "
        "number sent again returns its existing code. Problems name the row (from 1) and field. "
        "Scope: `invitations:write`; only for the key's units (403 names the unit)."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": InvitationsIn.model_json_schema()}},
        }
    },
)
def invitations_post(request: HttpRequest) -> Any:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    data = _body(request)
    if isinstance(data, JsonResponse):
        return data
    campaign = Campaign.objects.filter(code=str(data.get("campaign") or "")).first()
    if campaign is None:
        return error_response(
            f"Không có đợt khảo sát '{data.get('campaign')}'.",
            f"There is no campaign '{data.get('campaign')}'.",
            422,
            field="campaign",
        )
    rows = [
        (n, row if isinstance(row, dict) else {}) for n, row in enumerate(data["rows"], start=1)
    ]
    batch = secrets.token_hex(8)
    try:
        codes = invitations_create(
            campaign=campaign,
            batch=batch,
            rows=rows,
            created_by_key=key,
            units_allowed=key.units_in_scope(),
            source="API",
        )
    except ImportRejected as exc:
        problems = [
            {"row": p.row, "field": p.column, "vi": p.message_vi, "en": p.message_en}
            for p in exc.problems
        ]
        if isinstance(exc, OutsideScope):
            units = sorted(
                {str(rows[p.row - 1][1].get("unit_code")) for p in exc.problems if p.row > 0}
            )
            return error_response(
                f"Khoá API không được tạo mã cho đơn vị {', '.join(units)}.",
                f"The API key may not create codes for unit {', '.join(units)}.",
                403,
                problems=problems,
                units=units,
            )
        return error_response(
            "Không tạo mã nào: có dòng sai.",
            "No code was created: some rows are wrong.",
            422,
            problems=problems,
        )
    today = timezone.localdate()
    out = [
        {**_out(request, c, today), "row": n, "created": c.batch == batch}
        for n, c in enumerate(codes, start=1)
    ]
    return Status(201 if any(o["created"] for o in out) else 200, out)


def _readable(key: ApiKey) -> Any:
    return key.units_in_scope()


@router.get(
    "/invitations/{code}",
    tags=["invitations"],
    auth=api_key_auth("invitations:read"),
    response={200: InvitationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Read an invitation code / Xem một mã mời",
    description=(
        "Trạng thái của một mã: chưa dùng (unused), đã dùng (used) hay hết hạn (expired); "
        "không bao giờ trả câu trả lời.\n\n"
        "The status of a code: unused, used or expired; never the answers. "
        "Scope: `invitations:read`; codes of the key's units only."
    ),
)
def invitation_get(request: HttpRequest, code: str) -> Any:
    found = _invitation(request, code)
    if isinstance(found, JsonResponse):
        return found
    return _out(request, found, timezone.localdate())


@router.get(
    "/invitations/{code}/qr.svg",
    tags=["invitations"],
    auth=api_key_auth("invitations:read"),
    response={200: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="QR code of an invitation (SVG) / Mã QR của mã mời (SVG)",
    description=(
        "Ảnh SVG của mã QR dẫn tới /m/<mã>, để in lên phiếu trả kết quả.\n\n"
        "An SVG image of the QR code that leads to /m/<code>, to print on the result slip."
    ),
    openapi_extra={"responses": {"200": {"description": "SVG", "content": {"image/svg+xml": {}}}}},
)
def invitation_qr(request: HttpRequest, code: str) -> Any:
    found = _invitation(request, code)
    if isinstance(found, JsonResponse):
        return found
    svg = qr_svg(invitation_url(found.code, request), title=code_display(found.code))
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return HttpResponse(svg, content_type="image/svg+xml")


def _invitation(request: HttpRequest, code: str) -> InvitationCode | JsonResponse:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    canonical = code_normalise(code)
    if canonical is None:
        return error_response(
            f"Mã '{code}' không đúng dạng (sai ký tự kiểm tra).",
            f"Code '{code}' is malformed (its check symbol fails).",
            422,
            field="code",
        )
    found = (
        InvitationCode.objects.select_related("campaign", "unit", "service")
        .filter(code=canonical, unit__in=_readable(key))
        .first()
    )
    if found is None:
        return error_response(
            f"Không có mã {code_display(canonical)}.",
            f"There is no code {code_display(canonical)}.",
            404,
        )
    return found


@router.get(
    "/receipts/{receipt}",
    tags=["receipts"],
    auth=api_key_auth("receipts:read"),
    response={200: ReceiptOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Check a receipt / Tra cứu biên nhận",
    description=(
        "Có phiếu trả lời nào mang biên nhận này không: đợt khảo sát, mã đơn vị, ngày gửi, "
        "trạng thái duyệt và đã xác thực bằng mã mời hay chưa; không bao giờ trả câu trả lời.\n\n"
        "Whether an answer with this receipt is stored: its campaign, unit code, submission date, "
        "review state and whether it was verified by an invitation code; never the answers. "
        "Scope: `receipts:read`; answers about the key's units only."
    ),
)
def receipt_get(request: HttpRequest, receipt: str) -> Any:
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    canonical = receipt_normalise(receipt)
    if canonical is None:
        return error_response(
            f"Biên nhận '{receipt}' không đúng dạng (ví dụ 2026-7KQ3-M9XD-4A).",
            f"Receipt '{receipt}' is malformed (e.g. 2026-7KQ3-M9XD-4A).",
            422,
            field="receipt",
        )
    answer = (
        Response.objects.select_related("campaign", "unit")
        .filter(receipt=canonical, unit__in=_readable(key))
        .only("receipt", "campaign__code", "unit__code", "submitted_at", "review", "verified")
        .first()
    )
    if answer is None:
        return {"receipt": canonical, "stored": False}
    return {
        "receipt": canonical,
        "stored": True,
        "campaign": answer.campaign.code,
        "unit_code": answer.unit.code,
        "submitted_on": timezone.localdate(answer.submitted_at),
        "review": answer.review,
        "verified": answer.verified,
    }
