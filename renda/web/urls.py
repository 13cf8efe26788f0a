from django.urls import path

from renda.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench_view, name="workbench"),
    path("preferences/large-text/", views.large_text, name="large_text"),
    path("organizations/", views.organizations, name="organizations"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("audit/", views.audit, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
