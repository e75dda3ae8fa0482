"""A real Celery worker process on the real Redis broker, for end-to-end task tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RunningWorker:
    process: subprocess.Popen
    queue: str
    sender: Celery

    def send(self, task_name: str, *args: Any) -> None:
        self.sender.send_task(task_name, args=list(args), queue=self.queue)

    def wait_for(self, check: Callable[[], Any], *, timeout: float = 120) -> Any:
        """Poll ``check`` until it returns something truthy; fail if the worker dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read().decode()
            result = check()
            if result:
                return result
            time.sleep(0.2)
        raise AssertionError("the worker did not finish in time")


@contextmanager
def celery_worker(*, broker: str, queue_prefix: str,
                  extra_env: dict[str, str] | None = None) -> Iterator[RunningWorker]:
    """Start ``celery -A config worker`` on a private queue against the test database."""
    queue = f"{queue_prefix}-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_DEBUG": "true", "CELERY_BROKER_URL": broker,
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"
                           + connection.settings_dict["NAME"], **(extra_env or {})}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--queues", queue, "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sender = Celery(broker=broker)
    try:
        yield RunningWorker(process, queue, sender)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        sender.close()
