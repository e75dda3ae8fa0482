import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from matching.cli import main

HEADER = ["record_id", "given_names", "paternal_surname", "maternal_surname", "sex", "birth_date",
          "id_number", "state", "municipality", "address", "event_date"]

LEFT = [
    ["L1", "María de los Ángeles", "Hernández", "Muñoz", "M", "1985-03-07", "", "09", "09007",
     "Hidalgo 12", "2020-01-10"],
    ["L2", "José Luis", "Pérez", "Xicoténcatl", "H", "07/11/1979", "", "21", "21114", "",
     "2019-05-01"],
    ["L3", "Juan", "Hernández", "García", "H", "1990-02-02", "HEGJ900202HDFRRN01", "09", "09005",
     "", ""],
    ["L4", "Lupita", "Cruz", "Ramos", "M", "2001-08-30", "", "14", "14039", "", ""],
]
RIGHT = [
    ["R1", "MA DE LOS ANGELES", "HERNANDEZ", "MUNOZ", "M", "1985-07-03", "", "09", "09007",
     "HIDALGO 12", "2020-03-01"],
    ["R2", "Pepe Luis", "Xicotencatl", "Perez", "H", "1979-11-07", "", "21", "", "", "2019-06-11"],
    ["R3", "Juan", "Hernández", "García", "H", "1972-06-15", "HEGJ720615HJCRRN05", "14", "14039",
     "", ""],
    ["R4", "Pedro", "Sánchez", "López", "H", "1966-01-01", "", "05", "05030", "", ""],
]


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _many(prefix: str, count: int) -> list[list[str]]:
    # Background records so the model has something to learn u from.
    from demo.synthetic import generate_people

    people = generate_people(seed=7 if prefix == "L" else 8, count=count)
    return [
        [f"{prefix}bg{i}", p.given_names, p.paternal_surname, p.maternal_surname, p.sex,
         p.birth_date.isoformat(), "", p.state_code, p.municipality_code, p.address, ""]
        for i, p in enumerate(people)
    ]


def test_link_writes_probabilities_and_per_field_weights(tmp_path):
    left = _write(tmp_path / "left.csv", LEFT + _many("L", 300))
    right = _write(tmp_path / "right.csv", RIGHT + _many("R", 300))
    out = tmp_path / "links.csv"
    model, report = tmp_path / "m.json", tmp_path / "report.json"
    arguments = ["link", str(left), str(right), "-o", str(out), "--save-model", str(model)]
    assert main([*arguments, "--report", str(report)]) == 0
    rows = _read(out)
    pairs = {(r["left_id"], r["right_id"]) for r in rows}
    assert {("L1", "R1"), ("L2", "R2")} <= pairs  # swapped date, nickname, swapped surnames
    assert ("L3", "R3") not in pairs  # a namesake with another CURP and birth date
    expected_columns = {"probability", "match_weight", "decision", "w_given_names", "w_birth_date"}
    assert expected_columns <= set(rows[0])
    # The field weights and the prior add up to the match weight.
    prior = json.loads(model.read_text())["prior"]
    prior_weight = math.log2(prior / (1 - prior))
    for row in rows:
        weights = sum(float(row[k]) for k in row if k.startswith("w_"))
        assert weights + prior_weight == pytest.approx(float(row["match_weight"]), abs=0.06)
    assert json.loads(report.read_text())["blocking"][0]["rule"] == "identity number"


def test_link_with_a_saved_model_and_absent_columns(tmp_path):
    left = _write(tmp_path / "left.csv", LEFT + _many("L", 300))
    right = _write(tmp_path / "right.csv", RIGHT + _many("R", 300))
    model = tmp_path / "m.json"
    main(["link", str(left), str(right), "-o", str(tmp_path / "a.csv"), "--save-model", str(model)])
    # A file with only some of the columns still links with the saved model.
    sparse = _write(
        tmp_path / "sparse.csv",
        [["X1", "Maria de los Angeles", "Hernandez", "1985-03-07"]],
        header=["record_id", "given_names", "paternal_surname", "birth_date"],
    )
    out = tmp_path / "b.csv"
    assert main(["link", str(sparse), str(right), "-o", str(out), "--model", str(model),
                 "--include-review"]) == 0
    rows = _read(out)
    assert [(r["left_id"], r["right_id"]) for r in rows][:1] == [("X1", "R1")]
    assert rows[0]["decision"] in ("link", "review")
    assert float(rows[0]["w_maternal_surname"]) == 0.0  # absent column: no evidence either way


def test_dedupe_writes_one_cluster_per_person(tmp_path):
    rows = [*LEFT, ["D1", *RIGHT[0][1:]], ["D2", *RIGHT[1][1:]], *_many("L", 300)]
    path = _write(tmp_path / "one.csv", rows)
    out = tmp_path / "clusters.csv"
    assert main(["dedupe", str(path), "-o", str(out)]) == 0
    clusters = {r["record_id"]: r["cluster_id"] for r in _read(out)}
    assert clusters["L1"] == clusters["D1"]
    assert clusters["L2"] == clusters["D2"]
    assert clusters["L1"] != clusters["L2"]
    assert len(clusters) == len(rows)


def test_help_documents_the_schema():
    completed = subprocess.run([sys.executable, "-m", "matching", "link", "--help"],
                               capture_output=True, text=True, check=True)
    assert "record_id, given_names, paternal_surname" in completed.stdout
    assert "links.csv" in completed.stdout


@pytest.mark.parametrize(
    "lines",
    [
        ["record_id,Given_Names,birth_date", "A1,Ana,1990-01-01", ",Luis,", "A3,Eva,,extra"],
        ["given_names,given_names,sex", "Ana,Anita,M", "", "Luis"],  # repeated name, short rows
        ["given_names"],
        [],
    ],
)
def test_the_column_reader_reads_what_the_row_reader_reads(tmp_path, lines):
    from matching.cli import read_csv, read_csv_columns

    path = tmp_path / "odd.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    rows = read_csv(path)
    columns = read_csv_columns(path)
    assert len(columns) == len(rows)
    for field in ("record_id", "given_names", "birth_date", "sex"):
        assert columns.column(field) == [row.get(field) for row in rows], field
    assert [columns[k]["record_id"] for k in range(len(rows))] == [r["record_id"] for r in rows]
