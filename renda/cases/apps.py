from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "renda.cases"
    label = "cases"
    verbose_name = _("交办与办理")

    def ready(self) -> None:
        from renda.api import registry
        from renda.cases import api, kinds, panels, workflows

        del kinds, workflows  # imported to declare the notification kinds and the workflow
        panels.register()
        registry.register("/cases", api.build_router, order=70)
