"""Plumbing shared by the generators: the linker's CSV schema, streamed writing, the CLI."""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

# The linker's input schema (matching/README.md), in this order.
FIELDS = (
    "record_id", "given_names", "paternal_surname", "maternal_surname", "sex", "birth_date",
    "id_number", "state", "municipality", "address", "event_date", "aliases", "age",
)
FILES = ("left.csv", "right.csv", "truth.csv", "hard_negatives.csv")


class CsvOut:
    """A CSV file written row by row (memory stays flat whatever the size)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self._handle: TextIO = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
        self._writer = csv.writer(self._handle)
        self._writer.writerow(header)
        self.count = 0

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self._writer.writerow(row)
            self.count += 1

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvOut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Generate = Callable[..., dict[str, Any]]


def main(generate: Generate, description: str, argv: Sequence[str] | None = None) -> None:
    """Parse ``--out --n-left --n-right --seed``, run the generator, print its summary."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", required=True, help="folder for left/right/truth CSV files")
    parser.add_argument("--n-left", type=int, default=20_000, help="missing-person reports")
    parser.add_argument("--n-right", type=int, default=100_000, help="detention records")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = generate(Path(args.out), n_left=args.n_left, n_right=args.n_right, seed=args.seed)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary, indent=1))


def write_summary(out: Path, summary: dict[str, Any]) -> None:
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
