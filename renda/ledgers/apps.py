from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "renda.ledgers"
    label = "ledgers"
    verbose_name = _("履职统计台账")

    def ready(self) -> None:
        from renda.api import registry
        from renda.ledgers import api, panels

        panels.register()
        registry.register("/ledgers", api.build_router, order=40)
