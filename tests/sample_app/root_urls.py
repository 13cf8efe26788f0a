"""The site's URLs plus the sample app's: the one URL line a new app needs."""

from django.urls import include, path

from renda.urls import urlpatterns as site

urlpatterns = [*site, path("sample/", include("tests.sample_app.urls"))]
