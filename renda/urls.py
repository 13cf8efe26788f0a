from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("renda.web.urls")),
    path("accounts/", include("renda.accounts.urls")),
    path("console/", include("renda.console.urls")),
    path("deputies/", include("renda.deputies.urls")),
    path("duties/", include("renda.duties.urls")),
    path("points/", include("renda.points.urls")),
    path("ledgers/", include("renda.ledgers.urls")),
    path("learning/", include("renda.learning.urls")),
    path("portal/", include("renda.portal.urls")),
    path("suggestions/", include("renda.suggestions.urls")),
    path("cases/", include("renda.cases.urls")),
    path("notifications/", include("renda.notifications.urls")),
    path("api/v1/", include("renda.api.urls")),
    path("healthz", include("renda.health")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
