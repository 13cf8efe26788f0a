from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "renda.learning"
    label = "learning"
    verbose_name = _("学习资料")

    def ready(self) -> None:
        from renda.api import registry
        from renda.learning import api, panels
        from renda.notifications import kinds

        kinds.register(
            "study_material",
            _("学习资料"),
            description=_("人大机关发布的学习资料和通知,以及未读提醒。"),
        )
        panels.register()
        registry.register("/learning", api.build_router, order=50)
