"""Linkage benchmark: our core against Splink (DuckDB), same data, same run.

    python bench/matching/run_linkage.py --dataset synthetic --n-left 20000 --n-right 100000
    python bench/matching/run_linkage.py --dataset febrl4
    python bench/matching/run_linkage.py --dataset registro_b --n-left 20000 --n-right 100000

Each system runs in its own subprocess (so peak memory is its own, read from
getrusage), ``--repeats`` times; the table shows medians.  Every system picks
its own threshold without labels: ours by maximising expected F1 (at least
0.5); Splink at match probability 0.5 (its convention), and also, for
reference, at the expected-F1 threshold computed from its own probabilities.

For every system a calibration report follows: the reliability table and the
expected calibration error over the pairs it scored at 0.5 or more
(``calibration.py``; ours is run with ``--include-review`` so that the pairs
between 0.5 and its link threshold are seen too).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from calibration import calibration_report, format_table  # noqa: E402
from datasets import (  # noqa: E402
    GENERATORS,
    read_truth,
    write_febrl4,
    write_generated,
    write_synthetic,
)

SYSTEMS = ("ours", "splink_tuned", "splink_untuned")


def _scores(links: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    true_positives = len(links & truth)
    precision = true_positives / len(links) if links else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "links": len(links)}


def _peak_mb(workers: int = 1) -> float:
    # Own peak plus, for forked workers, the largest worker's peak once per
    # worker (an upper bound: forked workers share most pages with the parent).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * child) / 1024


def _cpu_seconds() -> float:
    # CPU time of this process and its threads (and any forked workers): on a
    # shared machine it says more about cost than wall time does.
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_ours(data: Path, out: Path, workers: int = 1) -> dict:
    from matching.cli import main

    started = time.perf_counter()
    main(
        [
            "link",
            str(data / "left.csv"),
            str(data / "right.csv"),
            "-o",
            str(out / "links.csv"),
            "--report",
            str(out / "report.json"),
            "--workers",
            str(workers),
            "--include-review",
        ]
    )
    elapsed = time.perf_counter() - started
    links, scored = set(), []
    with open(out / "links.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pair = (row["left_id"], row["right_id"])
            scored.append((pair, float(row["probability"])))
            if row["decision"] == "link":
                links.add(pair)
    report = json.loads((out / "report.json").read_text())
    return {
        "seconds": elapsed,
        "links": links,
        "scored": scored,
        "threshold": report["upper_threshold"],
        "candidate_pairs": report["candidate_pairs"],
        "blocking": report["blocking"],
    }


def run_splink(data: Path, tuned: bool) -> dict:
    import numpy as np
    import splink_models
    from splink import DuckDBAPI, Linker

    from matching.cli import read_csv
    from matching.scoring import expected_f1_threshold

    started = time.perf_counter()
    left_rows, right_rows = read_csv(data / "left.csv"), read_csv(data / "right.csv")
    make_frame = splink_models.tuned_frame if tuned else splink_models.untuned_frame
    left, right = make_frame(left_rows, "left"), make_frame(right_rows, "right")
    settings = splink_models.tuned_settings() if tuned else splink_models.untuned_settings()
    db_api = DuckDBAPI()
    if _takes_db_api():  # Splink 4 takes frames and a db_api; Splink 5 registered frames
        linker = Linker([left, right], settings, db_api=db_api)
    else:
        linker = Linker([db_api.register(left), db_api.register(right)], settings)
    (splink_models.train_tuned if tuned else splink_models.train_untuned)(linker)
    predictions = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    probability = predictions["match_probability"].to_numpy()
    # Orient every pair left -> right whatever order Splink emitted it in.
    left_first = predictions["source_dataset_l"].to_numpy() == "left"
    left_ids = np.where(left_first, predictions["unique_id_l"], predictions["unique_id_r"])
    right_ids = np.where(left_first, predictions["unique_id_r"], predictions["unique_id_l"])
    at_half = {(a, b) for a, b, p in zip(left_ids, right_ids, probability, strict=True) if p >= 0.5}
    threshold = expected_f1_threshold(probability)
    at_expected = {
        (a, b) for a, b, p in zip(left_ids, right_ids, probability, strict=True) if p >= threshold
    }
    return {
        "seconds": elapsed,
        "links": at_half,
        "scored": [((a, b), float(p)) for a, b, p in zip(left_ids, right_ids, probability,
                                                        strict=True) if p >= 0.5],
        "links_expected_f1": at_expected,
        "threshold": 0.5,
        "expected_f1_threshold": threshold,
    }


def _takes_db_api() -> bool:
    import inspect

    from splink import Linker

    return "db_api" in inspect.signature(Linker.__init__).parameters


def one(args: argparse.Namespace) -> None:
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    truth = read_truth(data)
    if args.system == "ours":
        result = run_ours(data, out, workers=args.ours_workers)
    else:
        result = run_splink(data, tuned=args.system == "splink_tuned")
    summary = {
        "system": args.system,
        "seconds": result["seconds"],
        "peak_mb": _peak_mb(args.ours_workers if args.system == "ours" else 1),
        "cpu_seconds": _cpu_seconds(),
        "threshold": result["threshold"],
        **_scores(result["links"], truth),
        "calibration": calibration_report(result["scored"], truth),
    }
    if "links_expected_f1" in result:
        alt = _scores(result["links_expected_f1"], truth)
        summary["at_expected_f1_threshold"] = {**alt, "threshold": result["expected_f1_threshold"]}
    for key in ("candidate_pairs", "blocking"):
        if key in result:
            summary[key] = result[key]
    print(json.dumps(summary))


def bench(args: argparse.Namespace) -> None:
    out_root = ROOT / "bench" / "out" / "matching"
    if args.dataset == "febrl4":
        data = write_febrl4(out_root / "febrl4")
        label = "FEBRL4 5,000 x 5,000"
    elif args.dataset in GENERATORS:
        data = write_generated(
            out_root / f"{args.dataset}_{args.seed}_{args.n_left}_{args.n_right}",
            args.dataset, seed=args.seed, n_left=args.n_left, n_right=args.n_right,
        )
        label = f"{args.dataset} {args.n_left:,} x {args.n_right:,} (seed {args.seed})"
    else:
        data = write_synthetic(
            out_root / f"synthetic_{args.seed}_{args.n_left}_{args.n_right}",
            seed=args.seed,
            n_left=args.n_left,
            n_right=args.n_right,
            overlap=args.overlap,
        )
        label = f"synthetic Mexican {args.n_left:,} x {args.n_right:,} (seed {args.seed})"
    runs: dict[str, list[dict]] = {name: [] for name in args.systems}
    for repeat in range(args.repeats):
        for system in args.systems:  # interleaved so machine noise hits all alike
            completed = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "one",
                    "--system",
                    system,
                    "--data",
                    str(data),
                    "--out",
                    str(out_root / "runs" / system),
                    "--ours-workers",
                    str(args.ours_workers),
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=args.timeout,
            )
            if completed.returncode != 0:
                print(f"{system} failed:\n{completed.stderr[-3000:]}", file=sys.stderr)
                continue
            result = json.loads(completed.stdout.strip().splitlines()[-1])
            runs[system].append(result)
            print(f"[{repeat + 1}/{args.repeats}] {system}: {_line(result)}", file=sys.stderr)
    print(f"\n### {label}, {args.repeats} run(s), medians\n")
    print("| system | precision | recall | F1 | threshold | wall time (s) | CPU time (s) "
          "| peak memory (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for system, results in runs.items():
        if not results:
            print(f"| {system} | failed | | | | | | |")
            continue
        med = {
            k: statistics.median(r.get(k, 0.0) for r in results)
            for k in ("precision", "recall", "f1", "seconds", "cpu_seconds", "peak_mb", "threshold")
        }
        print(
            f"| {system} | {med['precision']:.4f} | {med['recall']:.4f} | {med['f1']:.4f} | "
            f"{med['threshold']:.3f} | {med['seconds']:.1f} | {med['cpu_seconds']:.1f} "
            f"| {med['peak_mb']:.0f} |"
        )
        if "at_expected_f1_threshold" in results[0]:
            alt = [r["at_expected_f1_threshold"] for r in results]
            print(
                f"| {system} (its expected-F1 threshold) | "
                f"{statistics.median(a['precision'] for a in alt):.4f} | "
                f"{statistics.median(a['recall'] for a in alt):.4f} | "
                f"{statistics.median(a['f1'] for a in alt):.4f} | "
                f"{statistics.median(a['threshold'] for a in alt):.3f} | same run | same run "
                "| same run |"
            )
    for system, results in runs.items():
        if results and "calibration" in results[-1]:
            print(f"\n#### {system}: calibration (last run)\n")
            print(format_table(results[-1]["calibration"]))
    if runs.get("ours"):
        print("\nblocking passes (ours, last run):", json.dumps(runs["ours"][-1].get("blocking")))


def _line(result: dict) -> str:
    return (
        f"P={result['precision']:.4f} R={result['recall']:.4f} F1={result['f1']:.4f} "
        f"t={result['seconds']:.1f}s cpu={result.get('cpu_seconds', 0):.1f}s "
        f"mem={result['peak_mb']:.0f}MB"
        + (f" ECE={result['calibration']['ece']:.4f}" if "calibration" in result else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command")
    single = commands.add_parser("one", help="run one system once (used by the benchmark)")
    single.add_argument("--system", choices=SYSTEMS, required=True)
    single.add_argument("--data", required=True)
    single.add_argument("--out", required=True)
    single.add_argument("--ours-workers", type=int, default=1)
    parser.add_argument("--dataset", choices=("synthetic", "febrl4", *GENERATORS),
                        default="synthetic")
    parser.add_argument("--n-left", type=int, default=20_000)
    parser.add_argument("--n-right", type=int, default=100_000)
    parser.add_argument("--overlap", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--ours-workers", type=int, default=1,
                        help="processes ours uses to prepare records (CLI --workers)")
    args = parser.parse_args()
    if args.command == "one":
        one(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
