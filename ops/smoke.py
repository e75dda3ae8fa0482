"""The smoke test of the production topology (``python -m ops.topology smoke``).

Each check prints one line; any failure raises and the topology is torn down.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ops.topology import Topology


def check(label: str, condition: bool, detail: object = "") -> None:
    if not condition:
        raise AssertionError(f"{label}: {detail}")
    print(f"ok  {label}", flush=True)


def wait_until(label: str, probe, *, timeout: float = 60, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            print(f"ok  {label}", flush=True)
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{label}: not within {timeout} s (last: {value!r})")
        time.sleep(every)


def _replica_reads(topology: Topology) -> int:
    return int(topology.replica.psql(
        "SELECT tup_returned FROM pg_stat_database WHERE datname = 'registry'"))


def _named_entry(topology: Topology) -> tuple[str, str, str]:
    """Return (public key, folio, surname) of an entry whose name the public sees now."""
    rows = topology.primary.psql(
        "SELECT c.public_key, c.folio, r.paternal_surname FROM registry_case c "
        "JOIN registry_record r ON r.id = c.missing_report_id WHERE c.public_key IS NOT NULL "
        "AND c.publication = 'publicar' AND r.paternal_surname <> '' ORDER BY c.id LIMIT 30",
        "registry")
    for row in rows.splitlines():
        key, folio, surname = row.split("|")
        status, body = topology.get(f"/ficha/{key}/")
        if status == 200 and surname.encode() in body:
            return key, folio, surname
    raise AssertionError("no public entry shows its name")


def smoke(topology: Topology) -> None:
    """Check the topology: probes, replica reads, read-your-writes, workers, beat, fallback."""
    status, body = topology.get("/salud/")
    check("liveness /salud/", status == 200, body)
    status, body = wait_until("readiness /salud/lista/ with the replica in use", lambda: (
        (lambda s, b: (s, b) if s == 200 and json.loads(b)["comprobaciones"].get("replica")
         == "ok" else None)(*topology.get("/salud/lista/"))), timeout=30)

    before = _replica_reads(topology)
    for query in ("maria", "jose+hernandez", "guadalupe"):
        status, body = topology.get(f"/buscar/?q={query}")
        check(f"public search {query!r} answers", status == 200, status)
    stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', body)
    check("the search page links a hashed stylesheet", stylesheet is not None
          and re.search(rb"\.[0-9a-f]{12}\.css$", stylesheet.group(1)) is not None, body[:300])
    status, css = topology.get(stylesheet.group(1).decode())
    check("WhiteNoise serves the stylesheet", status == 200 and len(css) > 0, status)
    status, _body = topology.get("/datos/v1/fichas.csv")
    check("open data answers", status == 200, status)
    wait_until("the replica served the public reads",
               lambda: _replica_reads(topology) > before, timeout=15)

    # Read-your-writes: with the replica's replay paused, a family's veto is on every
    # public page at once (the veto's service sets the publication fence, so the public
    # read goes to the primary).
    key, folio, surname = _named_entry(topology)
    topology.replica.psql("SELECT pg_wal_replay_pause()")
    try:
        topology.shell(
            "from registry.models import Case; "
            "from registry.services import case_publication_decide; "
            f"case_publication_decide(case=Case.objects.get(folio={folio!r}), "
            "publication='no_publicar', decided_by='madre', reason='prueba de humo', "
            "actor=None)")
        check("a vetoed entry is gone at once although the replica is paused",
              topology.get(f"/ficha/{key}/")[0] == 404)
        status, body = topology.get(f"/buscar/?q={surname}")
        check("other public pages still answer while the replica lags", status == 200)
    finally:
        topology.replica.psql("SELECT pg_wal_replay_resume()")

    # Imports and relinking as tasks that any worker takes.
    started = time.monotonic()
    batch = topology.shell(
        "import io; from django.core.files.uploadedfile import SimpleUploadedFile; "
        "from imports.intake import import_batch_create; from imports.tasks import "
        "run_import_batch; from registry.models import Agency; "
        "agency = Agency.objects.order_by('id').first(); "
        "rows = 'FOLIO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,SEXO,FECHA DE NACIMIENTO\\r\\n'"
        " + ''.join(f'HUMO-{n},Juan,Pérez,López{n},H,03/04/1990\\r\\n' for n in range(50)); "
        "batch = import_batch_create(agency=agency, record_kind='detention', "
        "upload=SimpleUploadedFile('humo.csv', rows.encode()), file_name='humo.csv', "
        "actor=None); run_import_batch.delay(batch.pk, False); print(batch.pk)").strip()
    wait_until("a worker committed the import from object storage", lambda: topology.primary.psql(
        f"SELECT status FROM imports_importbatch WHERE id = {int(batch)}",  # noqa: S608
        "registry") == "committed",
        timeout=60)
    output = topology.manage("relink", "--timeout", "120", "--poll", "0.5", timeout=180)
    check("relink spread over the workers finished", "done in" in output, output)
    served = {name: topology.log_text(name).count("relink_partition") for name in
              ("worker1", "worker2")}
    check("both workers took relink partitions", all(served.values()), served)
    print(f"    (import and relink: {time.monotonic() - started:.1f} s; partitions per "
          f"worker {served})")

    # Beat schedules the retention task; a worker runs it on demand too.
    check("beat is running", topology.processes["beat"].poll() is None)
    result = topology.shell(
        "from registry.tasks import retention_apply_task; "
        "print(retention_apply_task.delay().get(timeout=60))")
    check("a worker applied the retention policy", "source_files" in result, result)

    status, body = topology.get("/metricas/")
    check("metrics refuse a request without the token", status == 401, status)
    status, body = topology.get("/metricas/",
                                {"Authorization": "Bearer token-de-la-prueba"})
    check("metrics with the token", status == 200 and b"django_http_requests" in body, status)
    web_log = topology.log_text("web")
    check("JSON logs", any(line.startswith("{") and '"level"' in line
                           for line in web_log.splitlines()), web_log[-500:])

    # The replica goes down: public pages fall back to the primary, with a log line.
    topology.replica.stop()
    time.sleep(1.5)
    status, _body = topology.get("/buscar/?q=maria")
    check("public search answers from the primary while the replica is down", status == 200,
          status)
    status, body = topology.get("/salud/lista/")
    check("readiness stays 200 and says the replica is degraded",
          status == 200 and json.loads(body)["comprobaciones"]["replica"] == "degradada", body)
    check("the fallback is logged", "fall back to the primary" in topology.log_text("web"))
