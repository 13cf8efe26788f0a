from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "renda.cases"
    label = "cases"
    verbose_name = _("交办与办理")

    def ready(self) -> None:
        from renda.cases import kinds, panels

        del kinds
        panels.register()
