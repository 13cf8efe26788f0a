from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "renda.web"
    label = "web"
    verbose_name = _("界面")

    def ready(self) -> None:
        # The foundation's own workbench panels; later apps register theirs the same way.
        from renda.web import panels

        panels.register()
