from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "renda.core"
    label = "core"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        # Auth signals feed the audit log; importing registers the receivers.
        from renda.core import logging, receivers  # noqa: F401

        logging.connect_signals()  # user and task ids on log lines
