from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "renda.deputies"
    label = "deputies"
    verbose_name = _("代表信息与履职")
