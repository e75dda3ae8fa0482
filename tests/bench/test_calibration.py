"""The benchmark's calibration report (bench/matching/calibration.py); no Django needed."""

import pytest

from bench.matching.calibration import (
    calibration_report,
    expected_calibration_error,
    format_table,
    reliability,
)

TRUTH = {("a", "1"), ("c", "3"), ("d", "4"), ("f", "6"), ("g", "7")}
SCORED = [
    (("a", "1"), 0.6),  # [0.5, 0.8): true
    (("b", "2"), 0.7),  # [0.5, 0.8): false
    (("c", "3"), 0.85),  # [0.8, 0.9): true
    (("g", "7"), 0.95),  # a band's low end belongs to it: [0.95, 0.99), true
    (("d", "4"), 1.0),  # the last band is closed: [0.999, 1], true
    (("e", "5"), 0.9995),  # [0.999, 1], false
    (("f", "6"), 0.3),  # below the 0.5 floor: not counted, though true
]


def test_each_band_counts_its_pairs_true_pairs_and_mean_probability():
    bands = {(b.low, b.high): b for b in reliability(SCORED, TRUTH)}
    low = bands[(0.5, 0.8)]
    assert (low.pairs, low.true_pairs, low.precision) == (2, 1, 0.5)
    assert low.mean_probability == pytest.approx(0.65)
    assert (bands[(0.95, 0.99)].pairs, bands[(0.9, 0.95)].pairs) == (1, 0)
    top = bands[(0.999, 1.0)]
    assert (top.pairs, top.true_pairs) == (2, 1)
    assert top.mean_probability == pytest.approx(0.99975)
    assert sum(b.pairs for b in bands.values()) == 6


def test_ece_weights_each_band_gap_by_its_pairs():
    # (2 * |0.5 - 0.65| + 1 * |1 - 0.85| + 1 * |1 - 0.95| + 2 * |0.5 - 0.99975|) / 6
    # = (0.3 + 0.15 + 0.05 + 0.9995) / 6 = 0.249917
    ece = expected_calibration_error(reliability(SCORED, TRUTH))
    assert ece == pytest.approx(1.4995 / 6)


def test_perfectly_calibrated_scores_have_zero_ece():
    # Ten pairs at 0.6, six of them true: observed precision 0.6 = the probability.
    scored = [((str(i), "x"), 0.6) for i in range(10)]
    truth = {(str(i), "x") for i in range(6)}
    assert calibration_report(scored, truth)["ece"] == pytest.approx(0.0)


def test_no_pairs_above_the_floor_gives_an_empty_report():
    report = calibration_report([(("a", "1"), 0.2)], TRUTH)
    assert (report["pairs"], report["ece"]) == (0, 0.0)
    assert "ECE" in format_table(report)
