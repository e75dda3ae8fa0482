"""The production topology on one machine: for the smoke test in CI, and to try by hand.

    python -m ops.topology smoke     # bring everything up, check it, tear it down (CI)
    python -m ops.topology up        # bring it up and wait; Ctrl-C tears it down

What comes up, each on a private port and under one temporary directory (nothing of the
machine's own services is used or changed; everything is removed afterwards):

- a PostgreSQL primary (``initdb``) and a streaming replica made from it with
  ``pg_basebackup -R`` (a second cluster on another port);
- Redis (cache, sessions, Celery broker and results);
- an S3-compatible object store (moto's server) holding the uploads;
- gunicorn serving ``config.wsgi`` (public reads on the replica, ``config/db_router.py``);
- two Celery workers (any of them takes imports and relink partitions) and Celery beat.

Run as root, the PostgreSQL servers run as the ``postgres`` user (they refuse root).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from ops.smoke import smoke

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda path: int(Path(path).parts[-3]))
    if found:
        return found[-1]
    located = shutil.which(name)
    if located is None:
        raise SystemExit(f"{name} not found: install PostgreSQL's server package")
    return located


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 30, process: subprocess.Popen | None = None,
                  what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{what or port} exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what or port} did not listen within {timeout} s") from None
            time.sleep(0.1)


@dataclass
class Cluster:
    """A PostgreSQL cluster of our own: a data directory and a port."""

    data: Path
    port: int
    sockets: Path
    log: Path

    def _as_postgres(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self._as_postgres(*command), check=check, capture_output=True,  # noqa: S603
                              text=True)

    def start(self, **settings: str) -> None:
        options = {"port": str(self.port), "listen_addresses": "127.0.0.1",
                   "unix_socket_directories": str(self.sockets), "fsync": "off",
                   "synchronous_commit": "off", "shared_buffers": "64MB", **settings}
        flags = " ".join(f"-c {key}={value}" for key, value in options.items())
        self.run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                 "-t", "60", "-o", flags, "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                     "stop", check=False)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(  # noqa: S603
            [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-Atc", sql], check=True, capture_output=True, text=True)
        return result.stdout.strip()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def _prepare_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


def primary_and_replica(root: Path, *, database: str = "registry",
                        before_backup=None) -> tuple[Cluster, Cluster]:
    """Create a primary with ``database``, then a streaming replica of it; return both.

    ``before_backup(primary_url)`` runs before the base backup (migrations, data), so
    the replica starts with them and streams what comes after.
    """
    sockets = _prepare_dir(root / "sockets")
    primary = Cluster(_prepare_dir(root / "primary"), free_port(), sockets,
                      root / "logs" / "primary.log")
    replica = Cluster(root / "replica", free_port(), sockets, root / "logs" / "replica.log")
    (root / "logs").mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root / "logs", "postgres", "postgres")
    primary.run(_pg_bin("initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
    primary.start(wal_level="replica", max_wal_senders="4")
    primary.psql(f"CREATE DATABASE {database}")
    if before_backup is not None:
        before_backup(primary.url(database))
    _prepare_dir(replica.data)
    replica.data.chmod(0o700)
    primary.run(_pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                "-U", "postgres", "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast",
                "--no-sync")
    replica.start(hot_standby="on")
    if replica.psql("SELECT pg_is_in_recovery()") != "t":
        raise RuntimeError("the replica is not in recovery")
    return primary, replica


@dataclass
class Topology:
    root: Path
    primary: Cluster | None = None
    replica: Cluster | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    web_port: int = 0
    started: float = field(default_factory=time.monotonic)

    # --- processes ---------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], *, env: dict[str, str] | None = None
              ) -> subprocess.Popen:
        log = (self.root / "logs" / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log,  # noqa: S603
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env,  # noqa: S603
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n"
                               f"{result.stderr}")
        return result.stdout

    def shell(self, code: str, timeout: float = 300) -> str:
        return self.manage("shell", "--no-imports", "-v", "0", "-c", code, timeout=timeout)

    def log_text(self, name: str) -> str:
        path = self.root / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- bring up ----------------------------------------------------------------------

    def up(self, *, demo_records: int = 1000) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        (self.root / "prometheus").mkdir()
        redis_port, s3_port, self.web_port = free_port(), free_port(), free_port()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.root),
            "LANG": "C.UTF-8", "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on loopback: in production TLS ends at the proxy (BEHIND_TLS_PROXY).
            "SECURE_SSL_REDIRECT": "false",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/1",
            "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{redis_port}/2",
            "FILE_STORAGE": "s3", "S3_BUCKET": "registro",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
            "S3_ACCESS_KEY_ID": "topologia", "S3_SECRET_ACCESS_KEY": "topologia",
            "METRICS_TOKEN": "token-de-la-prueba", "LOG_FORMAT": "json",
            "PROMETHEUS_MULTIPROC_DIR": str(self.root / "prometheus"),
            "REPLICA_CHECK_SECONDS": "1", "MATCHING_MIN_TRAINING_RECORDS": "500",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # Production serves hashed static files through WhiteNoise: collectstatic first.
            "STATIC_ROOT": str(self.root / "static"),
        }
        self.spawn("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"])
        self.spawn("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)])
        wait_for_port(redis_port, process=self.processes["redis"], what="redis")
        wait_for_port(s3_port, process=self.processes["s3"], what="the S3 server")
        self._create_bucket(s3_port)

        def prepare(primary_url: str) -> None:
            self.env["DATABASE_URL"] = primary_url
            self.step("primary up")
            self.manage("migrate", "--no-input", "-v", "0")
            self.step("migrated")
            self.manage("seed_demo", "--records", str(demo_records), "--no-link",
                        "--family-codes", "1")
            self.step(f"{demo_records} demo records")

        self.manage("collectstatic", "--no-input", "-v", "0")
        self.step("static files collected")
        self.primary, self.replica = primary_and_replica(self.root, before_backup=prepare)
        self.step("replica up (pg_basebackup)")
        self.env["DATABASE_REPLICA_URL"] = self.replica.url("registry")
        self.spawn("web", [str(BIN / "gunicorn"), "config.wsgi", "-w", "2", "-b",
                           f"127.0.0.1:{self.web_port}", "--access-logfile", "-"])
        for name in ("worker1", "worker2"):
            self.spawn(name, [PYTHON, "-m", "celery", "-A", "config", "worker", "-n",
                              f"{name}@%h", "-c", "1", "--without-gossip", "--without-mingle",
                              "--loglevel", "INFO"])
        self.spawn("beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "-s",
                            str(self.root / "beat-schedule"), "--loglevel", "INFO"])
        wait_for_port(self.web_port, process=self.processes["web"], what="gunicorn")
        self.step("gunicorn, two workers and beat started")

    def step(self, what: str) -> None:
        print(f"    {time.monotonic() - self.started:5.1f} s  {what}", flush=True)

    def _create_bucket(self, port: int) -> None:
        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                     aws_access_key_id="topologia", aws_secret_access_key="topologia",  # noqa: S106
                     ).create_bucket(Bucket="registro")

    # --- tear down ---------------------------------------------------------------------

    def down(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        for cluster in (self.replica, self.primary):
            if cluster is not None:
                cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- HTTP --------------------------------------------------------------------------

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.web_port}{path}",
                                         headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@contextlib.contextmanager
def topology(**options) -> Iterator[Topology]:
    """Bring the topology up under a new temporary directory; always tear it down."""
    root = Path(tempfile.mkdtemp(prefix="registro-topologia-"))
    root.chmod(0o755)  # the postgres user must reach its data directories
    running = Topology(root)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        running.up(**options)
        yield running
    finally:
        running.down()
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["smoke", "up"])
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    started = time.monotonic()
    if args.action == "smoke":
        with topology(demo_records=args.records) as running:
            print(f"topology up in {time.monotonic() - started:.1f} s", flush=True)
            try:
                smoke(running)
            except BaseException:
                for name in running.processes:
                    print(f"--- last lines of {name}.log ---")
                    print("\n".join(running.log_text(name).splitlines()[-30:]))
                raise
        print(json.dumps({"smoke": "ok", "seconds": round(time.monotonic() - started, 1)}))
        return
    with topology(demo_records=args.records) as running:
        print(f"Up in {time.monotonic() - started:.1f} s: http://127.0.0.1:{running.web_port}/ "
              f"(logs in {running.root / 'logs'}); Ctrl-C to stop.", flush=True)
        print("\n".join(f"{key}={value}" for key, value in running.env.items()
                        if key.endswith("URL")))
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
