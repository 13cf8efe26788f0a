"""Language selection: Chinese unless the user chose otherwise."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not consulted: the platform is
    Chinese by default and English only for someone who picked it with the language switch
    (kept in the language cookie). An English-language browser on an office computer would
    otherwise get an interface in a language its user never asked for."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            with contextlib.suppress(LookupError):
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
