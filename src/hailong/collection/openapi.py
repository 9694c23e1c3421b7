"""The submission route in the OpenAPI document.

The route is served by :mod:`hailong.collection.intake` in front of Django, so django-ninja
does not see it; this adds its description to the document the API publishes, so that
integrating systems read one document.
"""

from __future__ import annotations

from typing import Any

from .intake import API_PATH, MAX_BODY

_PROBLEM = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "question code or body field"},
                    "vi": {"type": "string"},
                    "en": {"type": "string"},
                },
                "required": ["field", "vi", "en"],
            },
        },
    },
}

_BODY = {
    "type": "object",
    "required": ["answers"],
    "properties": {
        "campaign": {"type": "string", "description": "Campaign code, e.g. sipas-2026"},
        "unit": {"type": "string", "description": "Official unit code, e.g. 14797"},
        "service": {"type": "string", "description": "Procedure code (mã TTHC), optional"},
        "answers": {
            "type": "object",
            "description": "Question code → answer code (number), list of codes, text, "
            "number or date. 99 = not applicable where the question offers it. The "
            "respondent block goes here too.",
            "additionalProperties": True,
        },
        "submitted_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the person answered (offline replays), with its time zone",
        },
        "filing_channel": {
            "type": "string",
            "enum": ["in_person", "online_full", "online_partial", "postal"],
        },
        "result_date": {"type": "string", "format": "date"},
        "collection_mode": {
            "type": "string",
            "enum": ["online", "desk_qr", "kiosk", "paper", "interview", "phone"],
        },
        "fill_seconds": {"type": "integer", "minimum": 0},
        "idempotency_key": {
            "type": "string",
            "minLength": 8,
            "maxLength": 64,
            "description": "Or the Idempotency-Key header",
        },
        "form_token": {
            "type": "string",
            "description": "The signed token of a form page (web channel) instead of an API key",
        },
    },
}


def submission_path() -> dict[str, Any]:
    error = {"application/problem+json": {"schema": _PROBLEM}}
    return {
        API_PATH: {
            "post": {
                "tags": ["answers"],
                "operationId": "answers_submit",
                "summary": "Gửi một phiếu trả lời / Submit one answer",
                "description": (
                    "Lưu một phiếu; mã 201 nghĩa là phiếu đã nằm trên đĩa. Gửi lại cùng "
                    "Idempotency-Key với cùng nội dung trả về biên nhận cũ và không lưu thêm; "
                    "cùng mã với nội dung khác là 409.\n\n"
                    "Stores one answer; a 201 means it is on disk. Sending the same "
                    "Idempotency-Key with the same content returns the original receipt and "
                    "stores nothing new; the same key with other content is a 409. "
                    f"Bodies over {MAX_BODY // 1024} KB are refused (413); a flood from one "
                    "address or key is throttled (429)."
                ),
                "security": [{"BearerKey": []}, {"HeaderKey": []}],
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 8, "maxLength": 64},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _BODY}},
                },
                "responses": {
                    "201": {
                        "description": "Stored (or a replay of a stored answer)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "receipt": {"type": "string"},
                                        "status": {"type": "string", "enum": ["stored", "replay"]},
                                        "review": {
                                            "type": "string",
                                            "enum": ["accepted", "flagged"],
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": {"description": "Unreadable body", "content": error},
                    "401": {"description": "No valid key or form token", "content": error},
                    "403": {"description": "Key not allowed here", "content": error},
                    "409": {"description": "Key reused or code used", "content": error},
                    "413": {"description": "Body too large", "content": error},
                    "415": {"description": "Not JSON or a form", "content": error},
                    "422": {"description": "Answers refused, each named", "content": error},
                    "429": {"description": "Too many submissions", "content": error},
                    "503": {"description": "Not stored; send again", "content": error},
                },
            }
        }
    }


def security_schemes() -> dict[str, Any]:
    return {
        "BearerKey": {"type": "http", "scheme": "bearer", "description": "hl_… API key"},
        "HeaderKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
