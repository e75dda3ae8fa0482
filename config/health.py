"""Liveness and readiness of one web process, for the load balancer and the orchestrator.

``/salud/`` answers while the process can answer at all (no database, no cache): a
liveness probe that fails only when the process is stuck. ``/salud/lista/`` says whether
this process can do its work now: the primary database answers, the shared cache stores
and returns a value, the broker accepts a connection. A read replica that is down or far
behind does not make the process unready: public reads then fall back to the primary
(``config.db_router``), so it is reported as ``degradada`` with status 200.

Neither reveals anything but the names of the checks and ``ok``/``falla``: the reason
goes to the log, never to the response.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from config import db_router

log = logging.getLogger("registro.salud")
BROKER_TIMEOUT_SECONDS = 2.0


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"estado": "ok"})


def _check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    token = uuid.uuid4().hex
    cache = caches["default"]
    cache.set("salud:lista", token, timeout=10)
    if cache.get("salud:lista") != token:
        raise RuntimeError("the cache did not return what was stored")


def _check_broker() -> None:
    url = getattr(settings, "CELERY_BROKER_URL", None)
    if not url:
        return  # tasks run in-process: there is no broker to reach
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS: dict[str, Callable[[], None]] = {
    "base_de_datos": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """Run every check; 200 when all pass, 503 naming the ones that failed."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception:
            log.exception("readiness check %s failed", name)
            results[name] = "falla"
        else:
            results[name] = "ok"
        log.debug("readiness check %s took %.1f ms", name, 1000 * (time.monotonic() - started))
    if db_router.replica_configured():
        results["replica"] = "ok" if db_router.replica_usable() else "degradada"
    ready = all(value != "falla" for value in results.values())
    return JsonResponse({"estado": "ok" if ready else "falla", "comprobaciones": results},
                        status=200 if ready else 503)
