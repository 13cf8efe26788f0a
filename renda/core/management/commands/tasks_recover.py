"""``renda tasks_recover``: one recovery pass of the task queue (run by the scheduler every
minute; ``renda worker`` also runs it itself). See ``renda.core.tasks``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from renda.core import tasks


class Command(BaseCommand):
    help = (
        "Hand back tasks left running by dead workers, retry failed tasks with back-off and "
        "re-enqueue lost notification deliveries; prints what it did as JSON."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = tasks.recover()
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
