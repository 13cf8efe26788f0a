from django.urls import URLPattern, URLResolver, path

from renda.learning import views

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_list, name="list"),
    path("<int:pk>/", views.read, name="read"),
    path("<int:pk>/attachment/", views.attachment, name="attachment"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.publish, name="publish"),
    path("manage/<int:pk>/", views.receipts, name="receipts"),
    path("manage/<int:pk>/remind/", views.remind, name="remind"),
    path("manage/<int:pk>/export-unread/", views.export_unread, name="export_unread"),
]
