from django.urls import path

from renda.console import views

app_name = "console"
urlpatterns = [
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/new/", views.account_new, name="account_new"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/grants/<int:grant_id>/revoke/", views.revoke, name="revoke"),
    path("accounts/<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("accounts/<int:pk>/active/", views.set_active, name="set_active"),
    path("tasks/failed/", views.failed_tasks, name="failed_tasks"),
    path("tasks/failed/<str:task_id>/", views.failed_task_action, name="failed_task_action"),
]
