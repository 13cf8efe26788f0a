"""Request bodies are read and parsed here, once, before any view or other middleware does:
a body that is too large answers 413 and one that cannot be parsed (a multipart body without
its boundary, too many fields, a client that went away mid-body) answers 400, instead of
failing wherever it is first touched (the CSRF check, django-axes' login receivers, a
handler), which used to be a 500.

A page's path with a control character (``/duties/checkin/%00/``) answers 400 here too.

Under the API the answer is problem+json; elsewhere a Chinese page. It sits high in
``MIDDLEWARE``: after the request id is set, before the session and the CSRF check.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from renda.api import problems
from renda.core.validators import refused_character

API_PREFIX = "/api/"
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MALFORMED = (
    MultiPartParserError,
    TooManyFieldsSent,
    TooManyFilesSent,
    UnreadablePostError,
    BadRequest,
    SuspiciousOperation,
)


def _page(request: HttpRequest, status: int) -> HttpResponse:
    if status == 413:
        heading = _("提交的内容过大")
        message = _(
            "本次提交的内容超过了系统允许的大小，没有保存。请删减文字或分几次提交；附件请单独上传。"
        )
    else:
        heading = _("提交的内容无法识别")
        message = _("本次提交的内容格式不正确，没有保存。请返回上一页刷新后重新填写提交。")
    html = render_to_string(
        "request_refused.html", {"code": status, "heading": heading, "message": message}
    )
    return HttpResponse(html, status=status)


def _path_refused(request: HttpRequest) -> bool:
    # A page's path segment reaches lookups (a check-in token) before any form sees it; a
    # NUL there was a 500 on PostgreSQL. The API's path parameters are typed by its schemas
    # (422, as the document says).
    if request.path.startswith(API_PREFIX):
        return False
    return refused_character(request.path, multiline=False) is not None


def read_body(request: HttpRequest) -> int | None:
    """Read and parse the body; the status to refuse it with, or None when it is fine."""
    if request.method not in _WITH_BODY:
        return None
    try:
        if request.content_type == "multipart/form-data" and not request.path.startswith(
            API_PREFIX
        ):
            # Pages take uploads: stream the files to the upload handlers, as the CSRF check
            # would next.
            request.POST  # noqa: B018 - parses the body
        else:
            # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE; a form body (or a multipart one sent to
            # the API, which takes JSON) is parsed from the copy read here, so the API can
            # still read the raw body.
            request.body  # noqa: B018 - reads the body
            if request.method == "POST":
                request.POST  # noqa: B018 - parses the body
    except RequestDataTooBig:
        return 413
    except _MALFORMED:
        return 400
    return None


class RequestBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        status = 400 if _path_refused(request) else read_body(request)
        if status is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            return problems.body_too_large() if status == 413 else problems.body_malformed()
        return _page(request, status)
