"""Handing work to a task: Celery when a broker is configured; without one, a thread of this process.

With ``REDIS_URL`` tasks go to the workers. Without it (the demo, ``make demo``) Celery runs tasks in
the caller's thread, so a big upload or a settlement run would finish before its progress page could
show: ``TASKS_IN_THREADS`` (on when there is no broker, off in the tests) runs them in a background
thread instead, and the page that follows shows them moving. Either way the task opens its own tenant
scope and database connection. The threads are not daemons: a command that ends (``run_nightly``,
``seed_demo``) waits for the deliveries it queued instead of dropping them half sent.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """``task.delay(*args)``, or the same in a background thread of this process when there is no broker."""
    enqueue_many(task, [args])


def enqueue_many(task, calls: list[tuple]) -> None:
    """``task.delay(*args)`` for each ``args`` of ``calls``; without a broker, all of them in one background thread."""
    if not calls:
        return
    if settings.CELERY_TASK_ALWAYS_EAGER and getattr(settings, "TASKS_IN_THREADS", False):
        threading.Thread(target=_run, args=(task, list(calls)), name=f"task-{task.name}", daemon=False).start()
    else:
        for args in calls:
            task.delay(*args)


def _run(task, calls: list[tuple]) -> None:
    try:
        for args in calls:
            try:
                task.apply(args=args, throw=True)
            except Exception:  # the task records its own failure; this thread only must not die silently
                logger.exception("Task %s%s failed in its background thread", task.name, args)
    finally:
        connections.close_all()
