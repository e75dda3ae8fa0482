"""Command line: link two CSV files or deduplicate one, for analysts and benchmarks."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from operator import itemgetter
from pathlib import Path

import numpy as np

from matching.clustering import cluster_ids
from matching.linker import Linker, LinkResult, collector_paused
from matching.model import LinkageModel
from matching.records import INPUT_FIELDS, OPTIONAL_INPUT_FIELDS, ColumnarRecords

_DESCRIPTION = """\
Probabilistic record linkage (Fellegi-Sunter, parameters estimated from the
data by EM, no labelled pairs needed).

Input CSV columns (any may be empty or absent; other columns are ignored):
  record_id, given_names, paternal_surname, maternal_surname, sex,
  birth_date, id_number, state, municipality, address, event_date
  (optional: aliases, age)
sex: H/M (M = mujer), also hombre/mujer/male/female/f.
Dates: ISO yyyy-mm-dd, dd/mm/yyyy or yyyymmdd.
id_number: a CURP (checked and parsed) or any other identity document number.
"""

_EPILOG = """\
examples:
  python -m matching link reports.csv detentions.csv -o links.csv
  python -m matching link a.csv b.csv -o links.csv --save-model model.json
  python -m matching link a.csv b.csv -o links.csv --model model.json
  python -m matching dedupe records.csv -o clusters.csv --pairs pairs.csv

links.csv: left_id,right_id,probability,match_weight,decision and one
w_<comparison> column per field (its weight in bits; the weights plus the
prior add up to match_weight). decision is "link" (>= upper threshold) or,
with --include-review, "review" (between the thresholds).
clusters.csv: record_id,cluster_id.
"""


def read_csv(path: str | Path) -> list[dict[str, str]]:
    """Return the rows of a CSV file as dicts (BOM tolerated, record_id filled in)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [(name or "").strip().lower() for name in next(reader, [])]
        rows = [dict(zip(header, values, strict=False)) for values in reader]
    if "record_id" not in header or any(not row.get("record_id") for row in rows):
        for number, row in enumerate(rows, start=1):
            if not row.get("record_id"):
                row["record_id"] = str(number)
    return rows


def read_csv_columns(path: str | Path) -> ColumnarRecords:
    """Return the records of a CSV file column by column (as :func:`read_csv`, no dicts)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [(name or "").strip().lower() for name in next(reader, [])]
        rows = list(reader)
    if len(set(header)) != len(header):  # a repeated column name: read row by row
        records = read_csv(path)
        return ColumnarRecords(
            {name: [r.get(name) for r in records] for name in (*header, "record_id")},
            len(records),
        )
    width = len(header)
    if any(len(row) != width for row in rows):  # a short row lacks its last fields
        rows = [(row + [None] * width)[:width] for row in rows]
    columns = {name: list(map(itemgetter(k), rows)) for k, name in enumerate(header)}
    ids = columns.get("record_id")
    if ids is None or not all(ids):
        ids = ids or [""] * len(rows)
        columns["record_id"] = [value or str(number) for number, value in enumerate(ids, 1)]
    return ColumnarRecords(columns, len(rows))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m matching",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser(
        "link",
        help="link records of LEFT.csv to records of RIGHT.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_DESCRIPTION,
        epilog=_EPILOG,
    )
    link.add_argument("left", help="left CSV file (e.g. missing-person reports)")
    link.add_argument("right", help="right CSV file (e.g. detention records)")
    dedupe = commands.add_parser(
        "dedupe",
        help="find records of the same person in FILE.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_DESCRIPTION,
        epilog=_EPILOG,
    )
    dedupe.add_argument("file", help="CSV file to deduplicate")
    dedupe.add_argument("--pairs", help="also write the scored pairs to this CSV")
    for sub in (link, dedupe):
        sub.add_argument("-o", "--output", required=True, help="output CSV (links or clusters)")
        sub.add_argument("--model", help="use this trained model JSON instead of estimating one")
        sub.add_argument("--save-model", help="write the trained model (JSON) here")
        sub.add_argument(
            "--upper",
            type=float,
            help="auto-link probability threshold (default: chosen from the data "
            "by maximising expected F1, at least 0.5)",
        )
        sub.add_argument(
            "--lower",
            type=float,
            default=None,
            help="review threshold: pairs between --lower and --upper are 'review' (default 0.05)",
        )
        sub.add_argument(
            "--include-review",
            action="store_true",
            help="also write pairs between the thresholds, decision 'review'",
        )
        sub.add_argument(
            "--report", help="write a JSON run report (blocking passes, timings, model notes)"
        )
        sub.add_argument("--seed", type=int, default=0, help="random seed for the u sample")
        sub.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes for preparing records and comparing pairs (default 1; the "
            "result is the same with any number)",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    model = LinkageModel.load(args.model) if args.model else LinkageModel()
    if args.lower is not None:
        model.lower_threshold = args.lower
    if args.upper is not None:
        model.upper_threshold = args.upper
        model.lower_threshold = min(model.lower_threshold, args.upper)
    linker = Linker(
        model,
        seed=args.seed,
        retrain=not args.model,
        auto_threshold=args.upper is None and not args.model,
        workers=args.workers,
    )
    if args.command == "link":
        with collector_paused():
            left, right = read_csv_columns(args.left), read_csv_columns(args.right)
        result = linker.link(left, right)
        _write_pairs(args.output, result, include_review=args.include_review)
    else:
        with collector_paused():
            records = read_csv_columns(args.file)
        result = linker.dedupe(records)
        _write_clusters(args.output, result)
        if args.pairs:
            _write_pairs(args.pairs, result, include_review=args.include_review)
    if args.save_model:
        result.model.save(args.save_model)
    if args.report:
        _write_report(args.report, result, time.perf_counter() - started)
    links = int(np.sum(result.decision == "link"))
    print(
        f"{args.command}: {result.n_candidates} candidate pairs, {links} links, "
        f"upper threshold {result.model.upper_threshold:.3f}, "
        f"{time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


def _write_pairs(path: str, result: LinkResult, *, include_review: bool) -> None:
    scored = result.scored
    names = [c.name for c in result.model.comparisons]
    keep = np.nonzero((result.decision == "link") | include_review)[0]
    keep = keep[np.argsort(-scored.total_weight[keep], kind="stable")]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "left_id",
                "right_id",
                "probability",
                "match_weight",
                "decision",
                *(f"w_{n}" for n in names),
            ]
        )
        left_ids, right_ids = result.left.record_ids, result.right.record_ids
        for k in keep.tolist():
            writer.writerow(
                [
                    left_ids[scored.left_rows[k]],
                    right_ids[scored.right_rows[k]],
                    f"{scored.probability[k]:.6f}",
                    f"{scored.total_weight[k]:.3f}",
                    result.decision[k],
                    *(f"{w:.2f}" for w in scored.field_weights[k]),
                ]
            )


def _write_clusters(path: str, result: LinkResult) -> None:
    links = result.decision == "link"
    clusters = cluster_ids(
        len(result.left), result.scored.left_rows[links], result.scored.right_rows[links]
    )
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "cluster_id"])
        for record_id, cluster in zip(result.left.record_ids, clusters.tolist(), strict=True):
            writer.writerow([record_id, result.left.record_ids[cluster]])


def _write_report(path: str, result: LinkResult, elapsed: float) -> None:
    report = {
        "elapsed_seconds": round(elapsed, 3),
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "candidate_pairs": result.n_candidates,
        "blocking": result.blocking.as_rows(),
        "links": int(np.sum(result.decision == "link")),
        "review": int(np.sum(result.decision == "review")),
        "upper_threshold": result.model.upper_threshold,
        "lower_threshold": result.model.lower_threshold,
        "model_notes": result.model.notes,
        "input_fields": list(INPUT_FIELDS + OPTIONAL_INPUT_FIELDS),
    }
    Path(path).write_text(json.dumps(report, indent=1, default=float), encoding="utf-8")
