"""The site's URLs plus the bare baseline view, used only while the workbench benchmark runs
(via override_settings), so the baseline passes through exactly the same URL resolver and
middleware as the page it is compared with."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renda.bench.benchmarks import bare_view
from renda.urls import urlpatterns as site_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench-bare/", bare_view, name="bench_bare"),
    *site_urlpatterns,
]
