from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "renda.duties"
    label = "duties"
    verbose_name = _("履职活动")

    def ready(self) -> None:
        from datetime import timedelta

        from renda.api import registry
        from renda.core import schedule
        from renda.duties import api, kinds, panels, workflows

        del kinds, workflows  # imported for what they register
        panels.register()
        registry.register("/duties", api.build_router, order=20)
        # Invitees of activities starting within DUTY_REMINDER_HOURS; once per invitee.
        schedule.register(
            key="duty_reminders", command="duty_reminders", every=timedelta(minutes=5)
        )
