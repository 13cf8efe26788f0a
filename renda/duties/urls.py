from django.urls import URLPattern, URLResolver, path

from renda.duties import views

app_name = "duties"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.record_list, name="records"),
    path("report/", views.report, name="report"),
    path("review/", views.review_queue, name="review"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/qr.png", views.activity_qr, name="activity_qr"),
    path(
        "activities/<int:pk>/attendance/<int:invitation_id>/",
        views.activity_attendance,
        name="activity_attendance",
    ),
    path("activities/<int:pk>/leave/", views.activity_leave, name="activity_leave"),
    path("activities/<int:pk>/close/", views.activity_close, name="activity_close"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
]
