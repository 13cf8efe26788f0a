from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "renda.points"
    label = "points"
    verbose_name = _("积分与履职评价")

    def ready(self) -> None:
        from renda.points import kinds, panels

        kinds.register()
        panels.register()
