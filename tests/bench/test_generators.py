"""The independent evaluation generators (bench/matching/generators); no Django needed."""

import csv
import unicodedata
from pathlib import Path

import pytest

from bench.matching.generators import registro_b, registro_c
from bench.matching.generators.output import FIELDS

GENERATORS = {"registro_b": registro_b, "registro_c": registro_c}
SIZE = {"n_left": 1000, "n_right": 5000}
# Each file writes sex in its own convention (the point: a linker must tell them apart).
SEX_CODES = {
    ("registro_b", "left"): {"Hombre", "Mujer", "Masculino", "Femenino", "HOMBRE", "MUJER", ""},
    ("registro_b", "right"): {"M", "F", ""},
    ("registro_c", "left"): {"H", "M", ""},
    ("registro_c", "right"): {"1", "2", ""},
}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.upper())
    return "".join(c for c in plain if not unicodedata.combining(c)).strip()


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def generated(request, tmp_path_factory) -> tuple[str, Path]:
    name = request.param
    out = tmp_path_factory.mktemp(name)
    GENERATORS[name].generate(out, seed=7, **SIZE)
    return name, out


def test_it_writes_the_linkers_schema_and_the_asked_sizes(generated):
    _, out = generated
    for side, n in (("left", SIZE["n_left"]), ("right", SIZE["n_right"])):
        with open(out / f"{side}.csv", newline="", encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == list(FIELDS)
        rows = _rows(out / f"{side}.csv")
        assert len(rows) == n
        assert len({r["record_id"] for r in rows}) == n


def test_it_is_deterministic_for_a_seed(generated, tmp_path):
    name, out = generated
    GENERATORS[name].generate(tmp_path, seed=7, **SIZE)
    for file in ("left.csv", "right.csv", "truth.csv", "hard_negatives.csv"):
        assert (tmp_path / file).read_bytes() == (out / file).read_bytes(), file


def test_another_seed_gives_other_data(generated, tmp_path):
    name, out = generated
    GENERATORS[name].generate(tmp_path, seed=8, **SIZE)
    assert (tmp_path / "right.csv").read_bytes() != (out / "right.csv").read_bytes()


def test_about_a_quarter_of_reports_have_a_true_detention_record(generated):
    _, out = generated
    truth = _rows(out / "truth.csv")
    left_ids = {r["record_id"] for r in _rows(out / "left.csv")}
    right_ids = {r["record_id"] for r in _rows(out / "right.csv")}
    assert {t["left_id"] for t in truth} <= left_ids
    assert {t["right_id"] for t in truth} <= right_ids
    matched = len({t["left_id"] for t in truth}) / SIZE["n_left"]
    assert 0.15 < matched < 0.3
    assert len(truth) > len({t["left_id"] for t in truth})  # some people detained twice


def test_each_file_keeps_its_own_sex_convention(generated):
    name, out = generated
    for side in ("left", "right"):
        codes = {r["sex"] for r in _rows(out / f"{side}.csv")}
        assert codes <= SEX_CODES[(name, side)]


def test_relatives_share_surnames_have_other_given_names_and_are_not_true_pairs(generated):
    name, out = generated
    left = {r["record_id"]: r for r in _rows(out / "left.csv")}
    right = {r["record_id"]: r for r in _rows(out / "right.csv")}
    truth = {(t["left_id"], t["right_id"]) for t in _rows(out / "truth.csv")}
    hard = _rows(out / "hard_negatives.csv")
    assert not {(h["left_id"], h["right_id"]) for h in hard} & truth
    kinds = {h["relation"] for h in hard}
    expected = {"sibling", "cousin", "father_son", "common_name"}
    if name == "registro_b":
        expected |= {"twin", "sibling_missing_together"}
    assert expected <= kinds
    # Written through each agency's errors, many siblings still read as the same surnames.
    clean_siblings = [
        h for h in hard if h["relation"] == "sibling"
        and _fold(left[h["left_id"]]["paternal_surname"])
        == _fold(right[h["right_id"]]["paternal_surname"]) != ""
        and _fold(left[h["left_id"]]["maternal_surname"])
        == _fold(right[h["right_id"]]["maternal_surname"]) != ""
        and _fold(left[h["left_id"]]["given_names"]) != _fold(right[h["right_id"]]["given_names"])
    ]
    assert len(clean_siblings) >= 5


def test_fathers_and_sons_share_the_given_names(generated):
    _, out = generated
    left = {r["record_id"]: r for r in _rows(out / "left.csv")}
    right = {r["record_id"]: r for r in _rows(out / "right.csv")}
    pairs = [h for h in _rows(out / "hard_negatives.csv") if h["relation"] == "father_son"]
    same = [h for h in pairs if _fold(left[h["left_id"]]["given_names"]).split()[:1]
            == _fold(right[h["right_id"]]["given_names"]).split()[:1]]
    assert same
