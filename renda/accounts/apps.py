from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "renda.accounts"
    label = "accounts"
    verbose_name = _("账号与登录")

    def ready(self) -> None:
        from renda.accounts import panels

        panels.register()
