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
