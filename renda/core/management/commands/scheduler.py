"""``renda scheduler``: runs the registered periodic jobs (``renda.core.schedule``) on their
schedules until SIGTERM or Ctrl-C. Start one or more beside the workers; ``--once`` runs
what is due and exits, for a systemd timer or cron line every minute instead."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from renda.core import schedule
from renda.core.models import ScheduledJob


class Command(BaseCommand):
    help = "运行定时任务（到期提醒、逾期督办、活动提醒、通知补发、清理）；可同时运行多个"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="运行一次到期的任务后退出（供 cron 或 systemd 定时器）",
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs", help="列出定时任务及下次运行时间"
        )

    def handle(self, *args: Any, once: bool, list_jobs: bool, **options: Any) -> None:
        if list_jobs:
            self._list()
        elif once:
            ran = schedule.run_due(runner=schedule.runner_name())
            self.stdout.write(f"ran {len(ran)} job(s): {', '.join(ran)}")
        else:
            stop = threading.Event()

            def request_stop(signum: int, frame: object) -> None:
                stop.set()

            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            schedule.serve(stop=stop)

    def _list(self) -> None:
        schedule.ensure_rows(now=timezone.now())
        rows = {row.key: row for row in ScheduledJob.objects.all()}
        for job in schedule.jobs():
            row = rows[job.key]
            command = " ".join([job.command, *job.args])
            last = "-" if row.last_ok is None else ("ok" if row.last_ok else "FAILED")
            self.stdout.write(
                f"{job.key:<28} every {job.every}  next {row.next_run_at:%Y-%m-%d %H:%M:%S%z}"
                f"  runs {row.runs}  last {last}  ({command})"
            )
