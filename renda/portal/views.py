"""Public portal pages (no login): the deputies' list and a deputy's public profile; the
suggestions whose replies were published."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from renda.core.requests import wants_partial
from renda.portal import published, selectors
from renda.portal.forms import DeputySearchForm, PublishedSearchForm

PER_PAGE = 20


@require_GET
@vary_on_headers("HX-Request")
def deputy_list(request: HttpRequest) -> HttpResponse:
    form = DeputySearchForm(request.GET or None)
    congress = form.value("congress")
    queryset = selectors.deputies(
        q=form.value("q") or "", congress=int(congress) if congress else None
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"mandate": m, "avatar": selectors.avatar_of(m)} for m in page.object_list]
    context = {"form": form, "page": page, "rows": rows}
    template = "portal/deputies.html#results" if wants_partial(request) else "portal/deputies.html"
    return render(request, template, context)


@require_GET
def deputy_profile(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = selectors.deputy(pk)  # NotFound (404) unless serving
    return render(
        request,
        "portal/deputy.html",
        {
            "mandate": mandate,
            "person": mandate.person,
            "avatar": selectors.avatar_of(mandate),
            "summary": selectors.duty_summary(mandate),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def published_list(request: HttpRequest) -> HttpResponse:
    """Suggestions whose reply the office released, searchable by title."""
    form = PublishedSearchForm(request.GET or None)
    page = Paginator(published.suggestions(q=form.value("q") or ""), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "items": list(page.object_list)}
    template = (
        "portal/suggestions.html#results" if wants_partial(request) else "portal/suggestions.html"
    )
    return render(request, template, context)


@require_GET
def published_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = published.suggestion(pk)  # NotFound (404) unless a reply was published
    return render(
        request, "portal/suggestion.html", {"item": found.suggestion, "replies": found.replies}
    )
