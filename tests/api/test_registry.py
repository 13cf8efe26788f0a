"""The API router registry (renda.api.registry): every domain app's router is mounted under its
own prefix, in the order the API always had, and every ``build_router`` has the same shape."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from ninja import Router
from ninja.pagination import PaginationBase

from renda.api import registry
from renda.api.api import api
from renda.api.kit import Pagination

# The domain routers and their prefixes, in the order renda.api.api mounted them by hand.
DOMAINS = ["/deputies", "/duties", "/points", "/ledgers", "/learning", "/suggestions", "/cases"]


def test_every_domain_router_is_registered_in_order() -> None:
    assert [mount.prefix for mount in registry.mounts()] == DOMAINS


def test_every_registered_router_is_mounted_under_its_prefix() -> None:
    mounted = dict(api._routers)
    for mount in registry.mounts():
        assert mount.prefix in mounted, mount.prefix
        router = mounted[mount.prefix]
        assert isinstance(router, Router)
        assert router.path_operations, f"{mount.prefix} has no operation"
    # Mounted once each, after the platform's own routers.
    prefixes = [prefix for prefix, _router in api._routers]
    assert len(prefixes) == len(set(prefixes))
    assert prefixes[-len(DOMAINS) :] == DOMAINS


@pytest.mark.django_db
def test_each_router_serves_its_operations_under_its_prefix(client: Any) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    paths = set(doc["paths"])
    mounted = dict(api._routers)
    for mount in registry.mounts():
        router = mounted[mount.prefix]
        for path in router.path_operations:
            assert f"/api/v1{mount.prefix}{path}" in paths, (mount.prefix, path)
        # Nothing of another domain is served under this prefix.
        under = {
            p
            for p in paths
            if p.startswith(f"/api/v1{mount.prefix}/") or p == f"/api/v1{mount.prefix}"
        }
        assert under == {f"/api/v1{mount.prefix}{path}" for path in router.path_operations}


def test_build_router_signatures_are_uniform() -> None:
    for mount in registry.mounts():
        signature = inspect.signature(mount.build)
        parameters = list(signature.parameters.values())
        assert [p.name for p in parameters] == ["pagination"], mount.prefix
        assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, mount.prefix
        assert parameters[0].default is inspect.Parameter.empty, mount.prefix
        assert signature.return_annotation in (Router, "Router"), mount.prefix


def test_build_router_makes_a_fresh_router_from_the_pagination() -> None:
    mounted = dict(api._routers)
    for mount in registry.mounts():
        fresh = mount.build(Pagination)
        assert isinstance(fresh, Router), mount.prefix
        assert fresh is not mounted[mount.prefix], mount.prefix
        assert sorted(fresh.path_operations) == sorted(mounted[mount.prefix].path_operations)
    assert issubclass(Pagination, PaginationBase)


def test_a_prefix_must_start_with_a_slash() -> None:
    with pytest.raises(ValueError, match="must start with"):
        registry.register("cases", lambda pagination: Router())
    assert [mount.prefix for mount in registry.mounts()] == DOMAINS
