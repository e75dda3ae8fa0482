"""Incremental matching benchmark: one new record against N stored records.

    python bench/matching/run_incremental.py --stored 1000000 --queries 2000

1. Generate a synthetic linkage: ``--queries`` reports, ``--stored`` detentions.
2. Train a model on the reports against the first 100,000 detentions (no labels).
3. Load every detention into an IncrementalIndex (timed: build rate, memory).
4. Match each report alone and time it; report p50/p95/p99 and the share of
   reports whose true detention comes first.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from datasets import synthetic_row  # noqa: E402

from demo.synthetic import generate_linkage_dataset  # noqa: E402
from matching.incremental import IncrementalIndex  # noqa: E402
from matching.linker import Linker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    clock = time.perf_counter()
    reports, detentions = generate_linkage_dataset(
        seed=args.seed, n_left=args.queries, n_right=args.stored, overlap=0.5
    )
    truth = {}
    by_person = {d.person_id: d.record_id for d in detentions}
    for report in reports:
        if report.person_id in by_person:
            truth[report.record_id] = by_person[report.person_id]
    report_rows = [synthetic_row(r) for r in reports]
    print(
        f"generated {args.stored:,} stored records in {time.perf_counter() - clock:.1f}s",
        file=sys.stderr,
    )

    clock = time.perf_counter()
    model = Linker().link(report_rows, [synthetic_row(d) for d in detentions[:100_000]]).model
    print(f"trained the model in {time.perf_counter() - clock:.1f}s", file=sys.stderr)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clock = time.perf_counter()
    index = IncrementalIndex(model)
    # Bulk load all but the last 1,000, then add those one by one (the import path).
    index.add_many(synthetic_row(d) for d in detentions[:-1000])
    add_latencies = []
    for detention in detentions[-1000:]:
        started = time.perf_counter()
        index.add(synthetic_row(detention))
        add_latencies.append((time.perf_counter() - started) * 1000)
    build = time.perf_counter() - clock
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    latencies, first_hits, linked = [], 0, 0
    for row in report_rows:
        started = time.perf_counter()
        matches = index.match(row)
        latencies.append((time.perf_counter() - started) * 1000)
        expected = truth.get(row["record_id"])
        if expected is not None:
            linked += 1
            first_hits += bool(matches) and matches[0][0] == expected
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    print(
        f"\n### Incremental: one record against {args.stored:,} stored ({args.queries:,} queries)\n"
    )
    print(
        "| stored | index build (s) | build rate (records/s) | peak RSS (MB) | p50 (ms) "
        "| p95 (ms) | p99 (ms) | max (ms) | true match ranked first | add() p95 (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.stored:,} | {build:.0f} | {args.stored / build:,.0f} | {rss_after:.0f} "
        f"(before index {rss_before:.0f}) | {p50:.1f} | {p95:.1f} | {p99:.1f} "
        f"| {max(latencies):.1f} | "
        f"{first_hits / max(linked, 1):.3f} | {np.percentile(add_latencies, 95):.2f} |"
    )


if __name__ == "__main__":
    main()
