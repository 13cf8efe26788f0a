from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "renda.suggestions"
    label = "suggestions"
    verbose_name = _("议案建议")

    def ready(self) -> None:
        from renda.suggestions import kinds

        del kinds
