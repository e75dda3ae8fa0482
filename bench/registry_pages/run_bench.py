"""Time the review queue, case workspace and cross-check over the loaded data set.

Usage, after setup_data.py:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_perm SECRET_KEY=bench \\
    ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=false \\
        .venv/bin/python bench/registry_pages/run_bench.py [--repeat 30]

Each page is requested in-process through the whole Django stack (middleware, session,
permission helpers, redaction, templates) with DEBUG off, as the bench prosecutor.
The reference is the login page measured in the same run (a template and a session,
no registry query), so the ratio says what the registry's own work costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from registry.models import Case, Record, User  # noqa: E402


def measure(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    client.get(url)  # warm caches (content types, templates, connection)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    user = User.objects.get(username="fiscal_bench")
    client = Client()
    client.force_login(user)
    case = (Case.objects.filter(prosecutors=user, status="desaparecida", person__isnull=False)
            .order_by("pk").first())
    total = Record.objects.count()
    pages = {
        "login page (reference)": reverse("login"),
        "review queue": reverse("review_queue"),
        "case workspace": reverse("case_workspace", args=[case.pk]),
        "cross-check": reverse("case_crosscheck", args=[case.pk]),
        "cross-check name search": reverse("case_crosscheck", args=[case.pk])
        + "?q=maria+garcia+lopez",
        "alerts inbox": reverse("alerts_inbox"),
    }
    results = {}
    for label, url in pages.items():
        if label.startswith("login"):
            anonymous = Client()
            results[label] = measure(anonymous, url, args.repeat)
        else:
            results[label] = measure(client, url, args.repeat)
        reset_queries()
    # An administrator's queue holds every pending pair of the registry.
    from django.contrib.auth.models import Group

    from registry import roles

    admin, _ = User.objects.get_or_create(username="admin_bench")
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    admin_client = Client()
    admin_client.force_login(admin)
    results["review queue (administrator)"] = measure(admin_client, reverse("review_queue"),
                                                      args.repeat)
    reference = results["login page (reference)"][0]
    print(f"records: {total}; repeat: {args.repeat}; case {case.pk}")
    print("| page | median ms | p95 ms | x reference | queries | bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (median, p95, queries, size) in results.items():
        print(f"| {label} | {median:.1f} | {p95:.1f} | {median / reference:.1f} | "
              f"{queries} | {size} |")


if __name__ == "__main__":
    main()
