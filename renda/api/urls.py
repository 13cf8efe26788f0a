from django.urls import re_path

from renda.api.api import api
from renda.api.problems import not_found_view

# ninja's ``api.urls`` is (patterns, app_name, namespace); the include in renda/urls.py
# takes the namespace from this module's app_name, which must match urls_namespace.
app_name = api.urls_namespace
urlpatterns = [*api.urls[0], re_path(r"^.*$", not_found_view, name="not-found")]
