from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "renda.cases"
    label = "cases"
    verbose_name = _("交办与办理")

    def ready(self) -> None:
        from datetime import timedelta

        from renda.api import registry
        from renda.cases import api, kinds, panels, workflows
        from renda.core import schedule

        del kinds, workflows  # imported to declare the notification kinds and the workflow
        panels.register()
        registry.register("/cases", api.build_router, order=70)
        # Due-soon reminders and overdue escalation: once when a scheduler starts, then
        # hourly (each rule reminds once, so the runs in between send nothing twice).
        schedule.register(key="case_deadlines", command="case_deadlines", every=timedelta(hours=1))
