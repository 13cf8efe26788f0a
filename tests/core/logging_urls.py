"""The site's URLs plus one page that fails, for the logging tests (a 500 on purpose)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from renda.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: a bug the operator must be able to find")


urlpatterns = [*site, path("test-only/boom/", boom)]
