"""The sample app's API router, mounted at /api/v1/sample through renda.api.registry."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import PaginationBase

from renda.api.kit import caller
from renda.api.problems import responses


class HelloOut(Schema):
    username: str


def build_router(pagination: type[PaginationBase]) -> Router:
    del pagination
    router = Router(tags=["样例"])

    @router.get("/hello", response={200: HelloOut, **responses(401, 500)}, summary="样例:当前账号")
    def hello(request: HttpRequest) -> Any:
        return {"username": caller(request).get_username()}

    return router
