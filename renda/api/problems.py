"""RFC 9457 problem details: every error the API returns is ``application/problem+json``
with a Chinese ``detail``, whatever raised it (validation, auth, policy, services, bugs)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from renda.core import context
from renda.core.errors import InvalidInput, NotFound, NotPermitted, RendaError

logger = logging.getLogger("renda.api")

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:renda:problem:"


class Problem(Schema):
    """An RFC 9457 problem details object."""

    type: str = Field(description="问题类型标识(URI)", examples=["urn:renda:problem:not-found"])
    title: str = Field(description="问题类型的简短说明")
    status: int = Field(description="HTTP 状态码")
    detail: str = Field(description="本次出错的具体说明(中文)")
    errors: dict[str, list[str]] | None = Field(
        default=None, description="按字段列出的错误(仅参数校验失败时提供)"
    )


class AuthFailed(RendaError):
    """The request carries no valid credentials."""

    status_code = 401

    def __init__(self, message: Any = None, **params: Any) -> None:
        super().__init__(
            message or _("请先登录:在请求头中提供 Authorization: Bearer <令牌>。"), **params
        )


class LockedOut(RendaError):
    status_code = 429

    def __init__(self, message: Any, *, retry_after: int, kind: str = "locked-out") -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad-request", _("请求有误")),
        401: ("authentication-required", _("需要登录")),
        403: ("permission-denied", _("没有权限")),
        404: ("not-found", _("记录不存在")),
        405: ("method-not-allowed", _("不支持的请求方法")),
        409: ("conflict", _("操作冲突")),
        413: ("content-too-large", _("请求体过大")),
        422: ("invalid-input", _("请求参数有误")),
        429: ("too-many-requests", _("请求过于频繁")),
        500: ("server-error", _("服务器内部错误")),
    }


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    kind: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    slug, default_title = _titles().get(status, ("error", _("请求未能完成")))
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (kind or slug),
        "title": title or default_title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="renda"'
    return response


def responses(*codes: int) -> dict[int, type[Problem]]:
    """Problem responses for an operation's ``response=`` declaration (for the OpenAPI)."""
    return dict.fromkeys(codes, Problem)


# Validation errors -------------------------------------------------------------------------


def _choices(ctx: dict[str, Any]) -> str:
    # pydantic lists them as "'a', 'b' or 'c'".
    return str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind.startswith("renda_"):
        # Our own validators already speak Chinese.
        return str(error.get("msg", ""))
    simple: dict[str, str] = {
        "missing": _("此项为必填项。"),
        "string_type": _("应为文本。"),
        "int_parsing": _("应为整数。"),
        "int_type": _("应为整数。"),
        "int_from_float": _("应为整数。"),
        "bool_parsing": _("应为 true 或 false。"),
        "bool_type": _("应为 true 或 false。"),
        "json_invalid": _("请求体不是有效的 JSON。"),
        "json_type": _("请求体不是有效的 JSON。"),
        "model_attributes_type": _("应为 JSON 对象。"),
        "model_type": _("应为 JSON 对象。"),
        "dict_type": _("应为 JSON 对象。"),
        "list_type": _("应为列表。"),
        "extra_forbidden": _("不支持此字段。"),
        "string_pattern_mismatch": _("格式不正确。"),
        "string_unicode": _("应为有效的文本。"),
    }
    if kind in simple:
        return simple[kind]
    bounded: dict[str, Callable[[dict[str, Any]], str]] = {
        "string_too_long": lambda c: _("不能超过 %(n)s 个字符。") % {"n": c.get("max_length")},
        "string_too_short": lambda c: (
            _("此项为必填项，不能为空。")
            if c.get("min_length") == 1
            else _("至少需要 %(n)s 个字符。") % {"n": c.get("min_length")}
        ),
        "greater_than_equal": lambda c: _("不能小于 %(n)s。") % {"n": c.get("ge")},
        "greater_than": lambda c: _("必须大于 %(n)s。") % {"n": c.get("gt")},
        "less_than_equal": lambda c: _("不能大于 %(n)s。") % {"n": c.get("le")},
        "less_than": lambda c: _("必须小于 %(n)s。") % {"n": c.get("lt")},
        "enum": lambda c: _("取值无效,可选值:%(v)s。") % {"v": _choices(c)},
        "literal_error": lambda c: _("取值无效,可选值:%(v)s。") % {"v": _choices(c)},
    }
    if kind in bounded:
        return bounded[kind](ctx)
    return _("取值无效。")


_SOURCES = {"query", "path", "body", "header", "cookie", "form", "file"}


def _field(loc: Iterable[Any], body_params: Iterable[str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source == "body" and parts and parts[0] in body_params:
            parts = parts[1:]
        if not parts:
            return source
    return ".".join(parts) or "__all__"


# The names the handlers give their body parameter; errors name the field, not the wrapper.
BODY_PARAM_NAMES = ("payload", "body")


def field_errors(errors: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        field = _field(error.get("loc", ()), BODY_PARAM_NAMES)
        message = _message(error)
        if message not in result.get(field, []):
            result.setdefault(field, []).append(message)
    return result


def _summary(errors: dict[str, list[str]]) -> str:
    shown = [f"{field}:{msgs[0]}" for field, msgs in list(errors.items())[:3]]
    more = "" if len(errors) <= 3 else _("等 %(n)s 项") % {"n": len(errors)}
    return _("请求参数有误:%(items)s%(more)s") % {"items": ";".join(shown), "more": more}


# Exception handlers ------------------------------------------------------------------------


def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = field_errors(exc.errors)
    return problem(422, _summary(errors), errors=errors, kind="validation-error")


def on_renda_error(request: HttpRequest, exc: RendaError) -> HttpResponse:
    headers: dict[str, str] = {}
    if isinstance(exc, LockedOut):
        headers["Retry-After"] = str(exc.retry_after)
        title = _("登录已被锁定") if exc.kind == "locked-out" else _("请稍后再试")
        return problem(429, exc.message, kind=exc.kind, title=title, headers=headers)
    errors = exc.field_errors if isinstance(exc, InvalidInput) else None
    return problem(exc.status_code, exc.message, errors=errors)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return problem(401, str(AuthFailed().message))
    if isinstance(exc, AuthorizationError):
        return problem(403, str(NotPermitted().message))
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return problem(429, _("请求过于频繁,请稍后再试。"), headers=headers)
    if exc.status_code == 403 and "CSRF" in exc.message:
        return problem(403, _("安全校验(CSRF)未通过,请刷新页面后重试。"), kind="csrf-failed")
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return problem(400, _("请求体不是有效的 JSON。"), kind="malformed-body")
    detail = {
        400: _("请求有误。"),
        403: str(NotPermitted().message),
        404: str(NotFound().message),
    }.get(exc.status_code, _("请求未能完成。"))
    return problem(exc.status_code, detail)


def body_too_large() -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return problem(
        413,
        _("请求体过大：不能超过 %(mb)s MB，请删减内容后重试。") % {"mb": f"{limit / 2**20:g}"},
    )


def body_malformed() -> HttpResponse:
    return problem(
        400,
        _("请求体无法解析：请检查 Content-Type 与请求体是否一致（本接口收发 JSON）。"),
        kind="malformed-body",
    )


def on_body_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return body_too_large()


def on_bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A body that cannot be read or parsed (a multipart body without its boundary, too many
    fields, a client that went away) is the caller's error, not the server's."""
    return body_malformed()


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, str(NotFound().message))


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, str(NotPermitted().message))


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    request_id = context.current().request_id
    logger.exception("api.unexpected_error", extra={"path": request.path})
    detail = _("服务器内部错误,请稍后再试。如问题持续,请联系管理员并提供请求编号 %(id)s。") % {
        "id": request_id or "-"
    }
    return problem(500, detail)


HANDLERS: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
    (NinjaValidationError, on_validation_error),
    (RequestDataTooBig, on_body_too_large),
    (MultiPartParserError, on_bad_request),
    (TooManyFieldsSent, on_bad_request),
    (TooManyFilesSent, on_bad_request),
    (UnreadablePostError, on_bad_request),
    (BadRequest, on_bad_request),
    (SuspiciousOperation, on_bad_request),
    (RendaError, on_renda_error),
    (HttpError, on_http_error),
    (Http404, on_not_found),
    (PermissionDenied, on_permission_denied),
    (Exception, on_unexpected),
]


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """For paths under /api/v1/ that match no operation."""
    return problem(404, _("接口地址不存在,请查看 /api/v1/openapi.json。"))
