from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "renda.deputies"
    label = "deputies"
    verbose_name = _("代表信息与履职")

    def ready(self) -> None:
        from datetime import timedelta

        from renda.api import registry
        from renda.core import schedule
        from renda.deputies import api, panels, workflows

        del workflows  # imported for what it registers
        registry.register("/deputies", api.build_router, order=10)
        panels.register()
        # Uploaded spreadsheets (with ID numbers) that were never imported.
        schedule.register(
            key="purge_deputy_imports", command="purge_deputy_imports", every=timedelta(days=1)
        )
