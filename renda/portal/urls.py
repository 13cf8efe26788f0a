from django.urls import URLPattern, URLResolver, path

from renda.portal import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("deputies/", views.deputy_list, name="deputies"),
    path("deputies/<int:pk>/", views.deputy_profile, name="deputy"),
    path("suggestions/", views.published_list, name="suggestions"),
    path("suggestions/<int:pk>/", views.published_detail, name="suggestion"),
]
