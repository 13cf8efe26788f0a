from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from renda.core.errors import NotFound, NotPermitted


class DomainErrorMiddleware:
    """Turns the policies' refusals into the site's 403 and 404 pages for every view, so views
    need no try/except of their own. API errors are rendered by the API's own handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Raised here, Django's own handler renders 404.html / 403.html with the message.
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, NotPermitted):
            raise PermissionDenied(exception.message) from exception
        return None
