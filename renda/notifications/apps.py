from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "renda.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    # Deliveries whose enqueue was lost are re-enqueued by the core's ``tasks_recover`` job
    # (every minute), through the recovery hook in ``renda/notifications/tasks.py``.
