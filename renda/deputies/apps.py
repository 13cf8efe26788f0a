from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "renda.deputies"
    label = "deputies"
    verbose_name = _("代表信息与履职")

    def ready(self) -> None:
        from renda.api import registry
        from renda.deputies import api, panels, workflows

        del workflows  # imported for what it registers
        registry.register("/deputies", api.build_router, order=10)
        panels.register()
