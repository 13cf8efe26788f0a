"""The site's URLs with stand-ins for the duty record and activity pages, used only while
the duties app does not define them yet (the points pages link every entry to its source)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from renda.urls import urlpatterns as site


def _stand_in(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(f"stand-in {pk}")


_duties = (
    [
        path("records/<int:pk>/", _stand_in, name="record"),
        path("activities/<int:pk>/", _stand_in, name="activity"),
    ],
    "duties",
)

urlpatterns: list[URLPattern | URLResolver] = [
    p for p in site if getattr(p, "namespace", None) != "duties"
] + [path("duties/", include(_duties))]
