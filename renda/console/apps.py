from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "renda.console"
    label = "console"
    verbose_name = _("系统管理")

    def ready(self) -> None:
        from renda.console import panels

        panels.register()
