from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "renda.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from datetime import timedelta

        from renda.core import schedule

        # E-mail/SMS deliveries whose enqueue was lost (a Redis outage, a killed process).
        schedule.register(
            key="notifications_requeue", command="notifications_requeue", every=timedelta(minutes=1)
        )
