"""The deputies' registry in the JSON API (/api/v1/deputies): the same selectors and mandate
policy as the pages, so a government HR system reads exactly what an office sees. Phone and ID
numbers are never part of the API.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' annotations
at import time."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import P, PathEx, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate
from pydantic import Field

from renda.api.kit import MAX_ID, caller
from renda.api.problems import responses
from renda.api.schemas import RegionCode, SearchText
from renda.core.models import RegionLevel
from renda.deputies import selectors
from renda.deputies.models import DeputyCategory, Mandate, MandateStatus
from renda.deputies.selectors import MandateFilters

StatusFilter = Literal["serving", "resigned", "recalled", "terminated", "deceased", "all"]


class Ref(Schema):
    id: int
    name: str


class CongressRef(Schema):
    id: int
    name: str
    level: RegionLevel
    region_code: str


class TermRef(Schema):
    id: int
    number: int
    label: str


class PersonOut(Schema):
    """Who the deputy is; contact and identity numbers are left out on purpose."""

    id: int
    name: str
    gender: str = Field(description="M 男 / F 女,未登记为空")
    ethnicity: str
    party: str = Field(description="政治面貌")
    education: str
    employer: str = Field(description="工作单位")
    post: str = Field(description="职务")


class MandateOut(Schema):
    id: int
    person: PersonOut
    congress: CongressRef
    term: TermRef
    delegation: Ref | None
    group: Ref | None
    constituency: Ref | None
    stations: list[Ref] = Field(description="联络站")
    category: DeputyCategory = Field(description="代表构成")
    category_display: str
    full_time: bool = Field(description="是否专职")
    status: MandateStatus
    status_display: str
    elected_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str

    @staticmethod
    def resolve_congress(obj: Mandate) -> dict[str, Any]:
        congress = obj.term.congress
        return {
            "id": congress.pk,
            "name": congress.name,
            "level": obj.region.level,
            "region_code": obj.region_id,
        }

    @staticmethod
    def resolve_term(obj: Mandate) -> dict[str, Any]:
        return {"id": obj.term.pk, "number": obj.term.number, "label": obj.term.label}

    @staticmethod
    def resolve_stations(obj: Mandate) -> list[Any]:
        return list(obj.stations.all())

    @staticmethod
    def resolve_category_display(obj: Mandate) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_display(obj: Mandate) -> str:
        return str(obj.get_status_display())


class MandateFiltersIn(Schema):
    q: SearchText = Field(default="", description="姓名或拼音首字母;完整的手机号码或身份证号码")
    level: RegionLevel | None = Field(default=None, description="人大层级")
    region: RegionCode | None = Field(default=None, description="只列出该区划(含下级)人大的代表")
    term: int | None = Field(default=None, ge=1, le=MAX_ID, description="届次编号(id)")
    group: int | None = Field(default=None, ge=1, le=MAX_ID, description="代表小组编号(id)")
    group_name: SearchText = Field(default="", description="代表小组名称中的字")
    station: int | None = Field(default=None, ge=1, le=MAX_ID, description="联络站编号(id)")
    category: DeputyCategory | None = Field(default=None, description="代表构成")
    status: StatusFilter = Field(default="serving", description="状态,默认在任;all 为全部")

    def selector_filters(self) -> MandateFilters:
        return MandateFilters(
            q=self.q,
            level=self.level,
            region=self.region,
            term=self.term,
            group=self.group,
            group_name=self.group_name,
            station=self.station,
            category=self.category,
            status=self.status,
        )


def build_router(pagination: type[PaginationBase]) -> Router:
    """The /deputies router, paginated like the rest of the API (the caller's pagination
    class is passed in so this module never imports the API object that mounts it)."""
    router = Router(tags=["代表"])

    @router.get(
        "",
        response={200: list[MandateOut], **responses(401, 403, 422, 500)},
        summary="代表资格列表(分页)",
        description="只列出您管辖范围内的代表资格(代表本人只看到自己的);默认只列在任的。不含手机号码和身份证号码。",
    )
    @paginate(pagination)
    def list_deputies(request: HttpRequest, filters: Query[MandateFiltersIn]) -> Any:
        user = caller(request)
        return selectors.with_related(selectors.mandates(user, filters.selector_filters()))

    @router.get(
        "/{mandate_id}",
        response={200: MandateOut, **responses(401, 403, 404, 422, 500)},
        summary="一条代表资格",
    )
    def get_deputy(request: HttpRequest, mandate_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Any:
        return selectors.mandate(caller(request), mandate_id)

    return router
