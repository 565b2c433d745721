"""Without a broker, long tasks run in a background thread, so their progress pages come first (issue 12)."""

import threading

from celery import shared_task

from common.tasks import enqueue

ran = threading.Event()
seen: list = []


@shared_task
def remember(value):
    seen.append((value, threading.current_thread().name))
    ran.set()


def test_without_a_broker_a_task_runs_in_a_background_thread(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_IN_THREADS = True
    ran.clear()
    seen.clear()
    enqueue(remember, 42)
    assert ran.wait(10)
    assert seen[0][0] == 42 and seen[0][1] != threading.current_thread().name


def test_in_the_tests_a_task_runs_inline(settings):
    settings.TASKS_IN_THREADS = False
    seen.clear()
    enqueue(remember, 7)
    assert seen == [(7, threading.current_thread().name)]


def test_a_background_task_is_finished_before_the_process_ends(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_IN_THREADS = True
    ran.clear()
    before = set(threading.enumerate())
    enqueue(remember, 9)
    started = [thread for thread in threading.enumerate() if thread not in before]
    assert ran.wait(10)
    # a daemon thread would be killed at exit; this one is joined by the interpreter's shutdown
    assert all(not thread.daemon for thread in started)
