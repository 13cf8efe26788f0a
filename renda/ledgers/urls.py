from django.urls import URLPattern, URLResolver, path

from renda.ledgers import views

app_name = "ledgers"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ledger_page, name="ledger"),
    path("export/", views.export, name="export"),
    path("inactive/", views.inactive_page, name="inactive"),
    path("inactive/export/", views.inactive_export, name="inactive_export"),
]
