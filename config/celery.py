"""The Celery application for long work (imports, re-linkage, large exports).

With no broker configured (the embedded default) settings turn on
``task_always_eager``, so the same tasks run in-process.
"""

import os

from celery import Celery
from celery.signals import worker_init

from registry.keys import require_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _require_keys(**kwargs) -> None:
    # A worker never starts without the deployment's keys (imports derive public keys).
    require_keys()
