from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "renda.points"
    label = "points"
    verbose_name = _("积分与履职评价")

    def ready(self) -> None:
        from renda.api import registry
        from renda.duties import facts
        from renda.points import api, kinds, panels, services, workflows

        del workflows  # imported for what it registers
        kinds.register()
        # Confirmed records, module records and closed activities recompute the totals.
        facts.listen(
            "points.rescore", lambda ids, year: services.request_rescore(mandate_ids=ids, year=year)
        )
        panels.register()
        registry.register("/points", api.build_router, order=30)
