"""Blocking report: candidate pairs and recall, per pass and overall.

    python bench/matching/run_blocking.py --data bench/out/matching/synthetic_2026_20000_100000

For each pass: the pairs it produces, the pairs no earlier pass produced, the
share of true pairs it finds alone, and the true pairs only it finds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from datasets import read_truth  # noqa: E402

from matching.blocking import BlockingRules, candidate_pairs, default_blocking_rules  # noqa: E402
from matching.cli import read_csv  # noqa: E402
from matching.records import RecordTable, Vocabularies  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    data = Path(args.data)
    vocabularies = Vocabularies()
    left = RecordTable.from_records(read_csv(data / "left.csv"), vocabularies)
    right = RecordTable.from_records(read_csv(data / "right.csv"), vocabularies)
    left_row = {r: i for i, r in enumerate(left.record_ids)}
    right_row = {r: i for i, r in enumerate(right.record_ids)}
    truth = np.array([left_row[a] * len(right) + right_row[b] for a, b in read_truth(data)])
    rules = default_blocking_rules()
    found = {}
    for rule in rules:
        li, ri, _ = candidate_pairs(BlockingRules((rule,)), left, right)
        found[rule.name] = np.isin(truth, li * len(right) + ri)
    li, ri, report = candidate_pairs(rules, left, right)
    everything = np.isin(truth, li * len(right) + ri)
    print(f"\n{len(left):,} x {len(right):,}: {report.total_pairs:,} candidate pairs "
          f"({report.total_pairs / (len(left) * len(right)):.2e} of all pairs), "
          f"blocking recall {everything.mean():.4f} ({everything.sum()} of {truth.size})\n")
    print("| pass | pairs | new pairs | recall alone | true pairs only it finds |")
    print("|---|---|---|---|---|")
    for row in report.as_rows():
        alone = found[row["rule"]]
        others = np.zeros_like(alone)
        for name, hits in found.items():
            if name != row["rule"]:
                others |= hits
        print(f"| {row['rule']} | {row['pairs']:,} | {row['new_pairs']:,} | {alone.mean():.4f} | "
              f"{int((alone & ~others).sum())} |")


if __name__ == "__main__":
    main()
