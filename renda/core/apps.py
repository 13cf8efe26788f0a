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
        self.register_jobs()

    def register_jobs(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from renda.core import schedule

        # Expired sessions; finished task rows of the database queue (failed ones kept
        # longer, for the administrator to see).
        # Tasks of dead workers, failed tasks due for a retry, deliveries whose enqueue was
        # lost (renda.core.tasks.recover and its hooks).
        schedule.register(key="tasks_recover", command="tasks_recover", every=timedelta(minutes=1))
        schedule.register(key="clearsessions", command="clearsessions", every=timedelta(days=1))
        if settings.TASK_BACKEND == "database":
            schedule.register(
                key="prune_db_task_results",
                command="prune_db_task_results",
                args=("--min-age-days", "14", "--failed-min-age-days", "60"),
                every=timedelta(days=1),
            )
