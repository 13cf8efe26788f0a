from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "renda.suggestions"
    label = "suggestions"
    verbose_name = _("议案建议")

    def ready(self) -> None:
        from django.urls import reverse

        from renda.api import registry
        from renda.cases import subjects
        from renda.core import congresses
        from renda.suggestions import api, kinds, panels, services, workflows

        del kinds, workflows  # imported to declare the notification kinds and the workflow
        panels.register()
        # Cases never import this module: they learn the label and link from this registration.
        subjects.register(
            services.SOURCE_TYPE,
            _("议案建议"),
            url=lambda pk: reverse("suggestions:detail", args=[pk]),
        )
        registry.register("/suggestions", api.build_router, order=60)
        # Every new congress gets the default categories (never written on a read).
        congresses.listen(
            "suggestions.categories",
            lambda ids: services.create_default_categories(congress_ids=ids),
        )
