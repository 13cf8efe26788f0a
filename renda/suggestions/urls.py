from django.urls import URLPattern, URLResolver, path

from renda.suggestions import views

app_name = "suggestions"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.suggestion_list, name="list"),
    path("new/", views.new, name="new"),
    path("similar/", views.similar, name="similar"),
    path("review/", views.review_queue, name="review_queue"),
    path("assign/", views.assign_batch, name="assign_batch"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/cosign/", views.cosign, name="cosign"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/presidium/", views.presidium, name="presidium"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
]
# Supervision dashboard, export and yearly compilation.
from renda.suggestions import compilation, dashboard_views  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/records/", dashboard_views.records_page, name="dashboard_records"),
    path("dashboard/export/", dashboard_views.export, name="dashboard_export"),
    path("compilation/", compilation.compilation_page, name="compilation"),
    path("compilation/pdf/", compilation.compilation_pdf, name="compilation_pdf"),
]
