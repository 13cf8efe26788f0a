from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "renda.portal"
    label = "portal"
    verbose_name = _("门户网站")

    def ready(self) -> None:
        from renda.portal import panels

        panels.register()
