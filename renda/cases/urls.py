from django.urls import path

from renda.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.case_action, name="action"),
]
