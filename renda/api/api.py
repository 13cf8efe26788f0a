"""The JSON API at /api/v1/: thin handlers over the core selectors and policies, so the API
shows exactly what the pages show to the same person."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, P, Path, PathEx, Query, Router
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer
from ninja.responses import Status

from renda.api import auth, registry, selectors, services
from renda.api.kit import MAX_ID, Pagination, caller
from renda.api.problems import HANDLERS, AuthFailed, responses
from renda.api.schemas import (
    MeOut,
    OrganizationFilters,
    OrganizationOut,
    RegionCode,
    RegionFilters,
    RegionOut,
    TokenIn,
    TokenOut,
)
from renda.core import policies
from renda.core import selectors as core_selectors
from renda.core.errors import NotFound
from renda.core.policies import Action


class RendaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        # Error responses are problem details (RFC 9457), not plain JSON.
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                if "requestBody" in operation:
                    # Refused before any handler runs (renda.api.middleware), for any body.
                    operation["responses"].setdefault("413", _TOO_LARGE)
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status)[:1] in {"4", "5"} and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        return schema


_TOO_LARGE = {
    "description": "Content Too Large",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


class Utf8JSONRenderer(JSONRenderer):
    # Chinese names as readable UTF-8 instead of \uXXXX escapes.
    json_dumps_params: Mapping[str, Any] = {"ensure_ascii": False}


api = RendaAPI(
    title="Renda API",
    version="1",
    description="智慧人大平台接口。错误均以 application/problem+json(RFC 9457)返回,detail 为中文说明。",
    urls_namespace="api",
    auth=[auth.bearer, auth.session],
    renderer=Utf8JSONRenderer(),
)
for exc_class, handler in HANDLERS:
    api.add_exception_handler(exc_class, handler)


# Auth --------------------------------------------------------------------------------------

auth_router = Router(tags=["登录"])


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **responses(400, 401, 403, 422, 429, 500)},
    summary="用登录名和密码获取令牌",
    description="系统管理员还须提交 otp(两步验证码)。连续 5 次失败后账号锁定 15 分钟(返回 429)。",
)
def obtain_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    token, key = auth.login_for_token(request, payload)
    return TokenOut(token=key, expires_at=token.expires_at, prefix=token.prefix)


@auth_router.delete(
    "/token",
    auth=auth.bearer,
    response={204: None, **responses(401, 500)},
    summary="吊销当前使用的令牌",
)
def revoke_token(request: HttpRequest) -> Status[None]:
    token = auth.current_token(request)
    if token is None:  # pragma: no cover - bearer auth always sets it
        raise AuthFailed()
    services.revoke_token(actor=token.user, token=token)
    return Status(204, None)


api.add_router("/auth", auth_router)


# The caller --------------------------------------------------------------------------------


@api.get(
    "/me",
    response={200: MeOut, **responses(401, 403, 500)},
    tags=["账号"],
    summary="当前账号与角色",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = caller(request)
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "roles": list(selectors.own_grants(user)),
        "large_text": user.large_text,
    }


# Regions -----------------------------------------------------------------------------------


@api.get(
    "/regions",
    response={200: list[RegionOut], **responses(401, 403, 404, 422, 500)},
    tags=["行政区划"],
    summary="行政区划(下级列表)",
    description="给出 parent 时返回其在您可见范围内的下级区划;不给时返回您可见范围内最高层级的区划。",
)
def list_regions(request: HttpRequest, filters: Query[RegionFilters]) -> Any:
    if filters.parent and not selectors.region_exists(filters.parent):
        raise NotFound(_("区划代码 %(code)s 不存在。"), code=filters.parent)
    return selectors.regions(caller(request), parent=filters.parent)


@api.get(
    "/regions/{code}",
    response={200: RegionOut, **responses(401, 403, 404, 422, 500)},
    tags=["行政区划"],
    summary="一个行政区划",
)
def get_region(request: HttpRequest, code: Path[RegionCode]) -> Any:
    region = selectors.region(caller(request), code)
    if region is None:
        raise NotFound()
    return region


# Organizations -----------------------------------------------------------------------------


@api.get(
    "/organizations",
    response={200: list[OrganizationOut], **responses(401, 403, 422, 500)},
    tags=["机构"],
    summary="机构列表(分页)",
    description="只列出您管辖范围内的机构;region 为其他地区时返回空列表。",
)
@paginate(Pagination)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    return core_selectors.organizations(
        caller(request),
        kind=filters.kind,
        region=filters.region,
        q=filters.q,
    )


@api.get(
    "/organizations/{org_id}",
    response={200: OrganizationOut, **responses(401, 403, 404, 422, 500)},
    tags=["机构"],
    summary="一个机构",
)
def get_organization(request: HttpRequest, org_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
    return policies.organizations.get(caller(request), Action.VIEW, id=org_id)


# Every domain's router, registered in its AppConfig.ready ---------------------------------

for mount in registry.mounts():
    api.add_router(mount.prefix, mount.build(Pagination))
