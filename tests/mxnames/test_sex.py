"""Sex codes: which convention a column follows, and what each value means under it."""

from __future__ import annotations

import pytest

from mxnames.sex import HM, MF, detect_sex_codes, read_sex


def test_mf_column_reads_m_as_male():
    # F beside M: M/F (masculino/femenino).
    found = detect_sex_codes(["M", "F", "m", "", "F"])
    assert (found.convention, found.ambiguous) == (MF, False)
    assert [read_sex(v, found.convention) for v in ("M", "F", "")] == ["H", "M", ""]


def test_hm_column_reads_m_as_female():
    found = detect_sex_codes(["H", "M", "h "])
    assert (found.convention, found.ambiguous) == (HM, False)
    assert [read_sex(v, found.convention) for v in ("H", "M")] == ["H", "M"]


def test_only_m_values_is_ambiguous():
    found = detect_sex_codes(["M", "M", "", None])
    assert (found.convention, found.ambiguous, found.reason) == (None, True, "only_m")
    assert read_sex("M", None) is None  # never guessed


def test_h_m_and_f_together_are_ambiguous():
    assert detect_sex_codes(["H", "M", "F"]).reason == "mixed"


@pytest.mark.parametrize(("values", "codes"), [
    (["Hombre", "Mujer"], ["H", "M"]),
    (["MASCULINO", "Femenino"], ["H", "M"]),
    (["male", "female"], ["H", "M"]),
    (["1", "2"], ["H", "M"]),
    (["X", "No binario", "Se ignora"], ["X", "X", ""]),
])
def test_words_and_numbers_need_no_convention(values, codes):
    found = detect_sex_codes(values)
    assert not found.ambiguous
    assert [read_sex(v, None) for v in values] == codes


def test_a_column_read_in_chunks_says_what_the_whole_column_says():
    # The first chunk holds only M; an H later settles it.
    first = detect_sex_codes(["M", "M"])
    assert first.ambiguous
    assert first.merge(["H"]).convention == HM
    assert first.merge(["H"]).merge(["F"]).reason == "mixed"


def test_a_value_that_is_no_sex_reads_as_none():
    assert read_sex("Z") is None
