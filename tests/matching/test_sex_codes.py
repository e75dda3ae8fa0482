"""The command line reads each file's sex codes by the file's own convention.

Left file (H/M) and right file (M/F) hold the same man, written H on the left
and M on the right: read as M/F, the right file's M is a man and the pair
falls in the sex comparison's "exact" level (its weight is that level's
log2(m / u), whatever the model estimated). A file that only writes M must be
told what M means.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from matching.cli import main
from tests.matching.test_cli import HEADER, _many, _read, _write

MAN = ["", "Ramón", "Quintero", "Balderas", "", "1971-03-09", "", "09", "09014", "", ""]


def _files(tmp_path: Path, right_sex: dict[str, str]) -> tuple[Path, Path]:
    left_rows = [["L1", *MAN[1:4], "H", *MAN[5:]], *_many("L", 300)]
    right_rows = [["R1", *MAN[1:4], "M", *MAN[5:]], *_many("R", 300)]
    for row in right_rows[1:]:
        row[4] = right_sex.get(row[4], row[4])
    sex = HEADER.index("sex")
    assert sex == 4
    return _write(tmp_path / "left.csv", left_rows), _write(tmp_path / "right.csv", right_rows)


def _sex_weights(model: Path) -> tuple[float, float]:
    data = json.loads(model.read_text())
    k = [c["name"] for c in data["comparisons"]].index("sex")
    (_, m_same, m_other), (_, u_same, u_other) = data["m"][k], data["u"][k]
    return round(math.log2(m_same / u_same), 2), round(math.log2(m_other / u_other), 2)


def _pair(out: Path) -> dict[str, str]:
    [pair] = [r for r in _read(out) if (r["left_id"], r["right_id"]) == ("L1", "R1")]
    return pair


def test_mf_file_reads_m_as_male(tmp_path):
    left, right = _files(tmp_path, {"H": "M", "M": "F"})  # the right file writes M/F
    out, report, model = tmp_path / "links.csv", tmp_path / "report.json", tmp_path / "m.json"
    assert main(["link", str(left), str(right), "-o", str(out), "--report", str(report),
                 "--include-review", "--save-model", str(model)]) == 0
    assert json.loads(report.read_text())["sex_codes"] == {str(left): "HM", str(right): "MF"}
    same, other = _sex_weights(model)
    assert same != other
    assert float(_pair(out)["w_sex"]) == same  # a man and a man, not a man and a woman


def test_only_m_values_is_ambiguous(tmp_path, capsys):
    left, right = _files(tmp_path, {"H": "M"})  # every person on the right written "M"
    with pytest.raises(SystemExit) as stopped:
        main(["link", str(left), str(right), "-o", str(tmp_path / "links.csv")])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert "holds M but neither H nor F" in message and "--sex-codes" in message


def test_sex_codes_given_per_file_settle_an_only_m_file(tmp_path):
    left, right = _files(tmp_path, {"H": "M"})
    out, model = tmp_path / "links.csv", tmp_path / "m.json"
    assert main(["link", str(left), str(right), "-o", str(out), "--sex-codes", "HM", "MF",
                 "--include-review", "--save-model", str(model)]) == 0
    assert float(_pair(out)["w_sex"]) == _sex_weights(model)[0]


def test_sex_codes_that_contradict_the_file_are_refused(tmp_path, capsys):
    left, right = _files(tmp_path, {"H": "M", "M": "F"})  # the right file is plainly M/F
    with pytest.raises(SystemExit):
        main(["link", str(left), str(right), "-o", str(tmp_path / "x.csv"), "--sex-codes", "HM"])
    assert "contradicts the file" in capsys.readouterr().err
