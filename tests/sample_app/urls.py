from django.urls import path

from tests.sample_app import views

app_name = "sample_app"
urlpatterns = [path("", views.index, name="index")]
