from django.urls import URLPattern, URLResolver, path

from renda.points import views

app_name = "points"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.mine, name="mine"),
    path("mandate/<int:mandate_id>/<int:year>/", views.breakdown, name="breakdown"),
    path("entries/<int:entry_id>/dispute/", views.dispute_new, name="dispute_new"),
    path("disputes/", views.dispute_list, name="disputes"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute"),
    path("rules/", views.rules, name="rules"),
    path("evaluation/<int:mandate_id>/<int:year>/", views.evaluation, name="evaluation"),
    path("evaluations/", views.evaluation_list, name="evaluations"),
    path("archive/<int:mandate_id>/<int:year>.pdf", views.archive_year, name="archive_year"),
    path("archive/<int:mandate_id>/term.pdf", views.archive_term, name="archive_term"),
]
