"""Study materials in the JSON API (/api/v1/learning): the caller's own materials (those
addressed to them as a deputy) and marking one read, with the same policy and services as the
pages.

No ``from __future__ import annotations``: django-ninja reads annotations at import time."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import P, PathEx, Router, Schema
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.core.errors import NotFound
from renda.learning import selectors, services
from renda.learning.models import Receipt


class MaterialOut(Schema):
    id: int
    title: str
    congress: str = Field(description="发布人大")
    published_at: datetime.datetime
    has_attachment: bool
    read_at: datetime.datetime | None = Field(description="首次阅读时间;未读为空")

    @staticmethod
    def resolve_id(obj: Receipt) -> int:
        return obj.material_id

    @staticmethod
    def resolve_title(obj: Receipt) -> str:
        return obj.material.title

    @staticmethod
    def resolve_congress(obj: Receipt) -> str:
        return obj.material.congress.name

    @staticmethod
    def resolve_published_at(obj: Receipt) -> datetime.datetime:
        return obj.material.published_at

    @staticmethod
    def resolve_has_attachment(obj: Receipt) -> bool:
        return obj.material.has_attachment


class MaterialDetailOut(MaterialOut):
    body: str
    attachment_name: str
    attachment_type: str
    attachment_size: int
    attachment_url: str | None = Field(description="附件下载地址(须登录);没有附件为空")

    @staticmethod
    def resolve_body(obj: Receipt) -> str:
        return obj.material.body

    @staticmethod
    def resolve_attachment_name(obj: Receipt) -> str:
        return obj.material.attachment_name

    @staticmethod
    def resolve_attachment_type(obj: Receipt) -> str:
        return obj.material.attachment_type

    @staticmethod
    def resolve_attachment_size(obj: Receipt) -> int:
        return obj.material.attachment_size

    @staticmethod
    def resolve_attachment_url(obj: Receipt) -> str | None:
        if not obj.material.has_attachment:
            return None
        return reverse("learning:attachment", args=[obj.material_id])


def _own_receipt(user: Any, material_id: int) -> Receipt:
    """The caller's receipt for a material addressed to them; NotFound otherwise (also for
    an office: the API serves the deputy's side)."""
    item = selectors.material(user, material_id)
    receipt = selectors.receipt_of(user, item)
    if receipt is None:
        raise NotFound()
    return receipt


def build_router(pagination: type[PaginationBase]) -> Router:
    router = Router(tags=["学习资料"])

    @router.get(
        "",
        response={200: list[MaterialOut], **responses(401, 403, 422, 500)},
        summary="发给我的学习资料(分页,未读在前)",
    )
    @paginate(pagination)
    def list_materials(request: HttpRequest) -> Any:
        return selectors.inbox(caller(request))

    @router.get(
        "/{material_id}",
        response={200: MaterialDetailOut, **responses(401, 403, 404, 422, 500)},
        summary="一份学习资料(不记为已读)",
    )
    def get_material(request: HttpRequest, material_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return _own_receipt(caller(request), material_id)

    @router.post(
        "/{material_id}/read",
        response={200: MaterialDetailOut, **responses(401, 403, 404, 422, 500)},
        summary="标记为已读",
        description="记录首次阅读时间;重复调用不改变首次阅读时间。",
    )
    def mark_read(request: HttpRequest, material_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        user = caller(request)
        item = selectors.material(user, material_id)
        services.open_material(user=user, material=item)
        return _own_receipt(user, material_id)

    return router
