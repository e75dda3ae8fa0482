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
from matching.normalize import normalize_sex
from matching.records import INPUT_FIELDS, OPTIONAL_INPUT_FIELDS, ColumnarRecords
from mxnames.sex import CONVENTIONS, HM, detect_sex_codes

_DESCRIPTION = """\
Probabilistic record linkage (Fellegi-Sunter, parameters estimated from the
data by EM, no labelled pairs needed).

Input CSV columns (any may be empty or absent; other columns are ignored):
  record_id, given_names, paternal_surname, maternal_surname, sex,
  birth_date, id_number, state, municipality, address, event_date
  (optional: aliases, age)
sex: H/M (hombre/mujer, as in the CURP), M/F (masculino/femenino), words
(hombre, mujer, masculino, femenino, male, female) or 1/2. Each file's
convention is read from its values: H beside M means H/M, F beside M means
M/F. A file whose sex column holds M with neither H nor F (or with both)
cannot say what M means: name it with --sex-codes HM or MF.
Dates: ISO yyyy-mm-dd, dd/mm/yyyy or yyyymmdd.
id_number: a CURP (checked and parsed) or any other identity document number.
"""

_EPILOG = """\
examples:
  python -m matching link reports.csv detentions.csv -o links.csv
  python -m matching link a.csv b.csv -o links.csv --save-model model.json
  python -m matching link a.csv b.csv -o links.csv --model model.json
  python -m matching dedupe records.csv -o clusters.csv --pairs pairs.csv

links.csv: left_id,right_id,probability,match_weight,decision,reason, one
w_<comparison> column per field (its weight in bits) and w_relatives (what
the chance that the two are relatives takes off); the weights plus the prior
add up to match_weight. decision is "link" (>= upper threshold) or, with
--include-review, "review" (between the thresholds, or above them but held:
reason possible_relatives, namesakes_different_birth_dates, curp_conflict or
sex_conflict).
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
        sub.add_argument(
            "--sex-codes",
            nargs="+",
            choices=CONVENTIONS,
            metavar="HM|MF",
            help="what the letter M means in the sex column: HM (M = mujer) or MF (M = "
            "masculino); one value for every input file or one per file, in order. Needed "
            "only where a file's own values cannot tell (M with neither H nor F)",
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


def sex_codes_of_file(records: ColumnarRecords, name: str, explicit: str | None) -> str:
    """Return the convention of a file's sex column, or raise ValueError saying what to do.

    The values decide when they can (H beside M: HM; F beside M: MF); ``explicit``
    (the command line's ``--sex-codes``) decides when they cannot, and must not
    contradict them.
    """
    found = detect_sex_codes(set(records.column("sex")))
    if found.ambiguous and explicit is None:
        why = ("holds M but neither H nor F" if found.reason == "only_m"
               else "holds H, M and F: two conventions mixed")
        raise ValueError(
            f"{name}: the sex column {why}, so M could be mujer or masculino; "
            "say which with --sex-codes HM (M = mujer) or --sex-codes MF (M = masculino)"
        )
    if explicit and found.convention and explicit != found.convention:
        raise ValueError(
            f"{name}: --sex-codes {explicit} contradicts the file, whose sex column reads "
            f"as {found.convention} ({'/'.join(sorted(found.letters)).upper()})"
        )
    return explicit or found.convention or HM


def _read_sex_codes(records: ColumnarRecords, convention: str) -> None:
    # The core reads H/M; every other convention is turned into it here, per file.
    if convention != HM and "sex" in records.columns:
        column = records.columns["sex"]
        read = {value: normalize_sex(value or "", convention) for value in set(column)}
        records.columns["sex"] = list(map(read.__getitem__, column))


def _read_inputs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[list, dict]:
    paths = [args.left, args.right] if args.command == "link" else [args.file]
    explicit = args.sex_codes or [None]
    if len(explicit) not in (1, len(paths)):
        parser.error(f"--sex-codes takes one value for every file or one per file ({len(paths)})")
    explicit = explicit * len(paths) if len(explicit) == 1 else explicit
    inputs, conventions = [], {}
    with collector_paused():
        for position, path in enumerate(paths):
            records = read_csv_columns(path)
            try:
                convention = sex_codes_of_file(records, str(path), explicit[position])
            except ValueError as error:
                parser.error(str(error))
            _read_sex_codes(records, convention)
            conventions[str(path)] = convention
            inputs.append(records)
    return inputs, conventions


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
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
    inputs, conventions = _read_inputs(args, parser)
    if args.command == "link":
        result = linker.link(*inputs)
        _write_pairs(args.output, result, include_review=args.include_review)
    else:
        result = linker.dedupe(inputs[0])
        _write_clusters(args.output, result)
        if args.pairs:
            _write_pairs(args.pairs, result, include_review=args.include_review)
    if args.save_model:
        result.model.save(args.save_model)
    if args.report:
        _write_report(args.report, result, time.perf_counter() - started, conventions)
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
                "reason",
                *(f"w_{n}" for n in names),
                "w_relatives",
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
                    result.reasons[k],
                    *(f"{w:.2f}" for w in scored.field_weights[k]),
                    f"{scored.relatives_weight[k]:.2f}",
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


def _write_report(path: str, result: LinkResult, elapsed: float,
                  sex_codes: dict[str, str]) -> None:
    report = {
        "sex_codes": sex_codes,
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
