from django.urls import URLPattern, URLResolver, path

from renda.deputies import views

app_name = "deputies"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mandate_list, name="list"),
    path("<int:pk>/", views.mandate_detail, name="detail"),
    path("export/", views.export, name="export"),
    path("import/", views.import_start, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/recheck/", views.import_recheck, name="import_recheck"),
]
