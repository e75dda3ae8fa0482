"""Do a linker's probabilities mean what they say? Reliability table and ECE.

Every system is judged on the same pairs: those it scored at or above 0.5
(``FLOOR``), whatever its own link or review thresholds are. Below 0.5 no
system claims a link, and the systems' review thresholds differ (ours 0.05,
Splink none), so a common floor keeps the figures comparable.

* Reliability table: for each probability band, the pairs scored in it, how
  many are true, the observed precision and the mean predicted probability.
* Expected calibration error: the mean over bands of |observed precision -
  mean probability|, weighted by the band's share of the pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

FLOOR = 0.5
# The last band is closed: a probability of exactly 1.0 belongs to it.
BANDS = ((0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 0.999), (0.999, 1.0))


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    pairs: int
    true_pairs: int
    mean_probability: float  # 0.0 when the band is empty

    @property
    def precision(self) -> float:
        return self.true_pairs / self.pairs if self.pairs else 0.0


def reliability(
    scored: Iterable[tuple[tuple[str, str], float]],
    truth: set[tuple[str, str]],
    bands: tuple[tuple[float, float], ...] = BANDS,
) -> list[Band]:
    """Return one Band per band for the scored pairs at or above the first band's low end."""
    counts = [[0, 0, 0.0] for _ in bands]  # pairs, true pairs, sum of probabilities
    last = len(bands) - 1
    for pair, probability in scored:
        for i, (low, high) in enumerate(bands):
            if low <= probability < high or (i == last and probability == high):
                counts[i][0] += 1
                counts[i][1] += pair in truth
                counts[i][2] += probability
                break
    return [Band(low, high, n, hits, total / n if n else 0.0)
            for (low, high), (n, hits, total) in zip(bands, counts, strict=True)]


def expected_calibration_error(bands: list[Band]) -> float:
    """Return the pair-weighted mean gap between observed precision and mean probability."""
    total = sum(b.pairs for b in bands)
    if not total:
        return 0.0
    return sum(b.pairs * abs(b.precision - b.mean_probability) for b in bands) / total


def calibration_report(
    scored: Iterable[tuple[tuple[str, str], float]], truth: set[tuple[str, str]]
) -> dict:
    """Return the table and the ECE as plain JSON-ready values."""
    bands = reliability(scored, truth)
    return {
        "floor": FLOOR,
        "bands": [{**asdict(b), "precision": b.precision} for b in bands],
        "ece": expected_calibration_error(bands),
        "pairs": sum(b.pairs for b in bands),
    }


def format_table(report: dict) -> str:
    """Return the reliability table as Markdown rows, with the ECE below."""
    lines = ["| band | pairs | true pairs | observed precision | mean probability |",
             "|---|---|---|---|---|"]
    for b in report["bands"]:
        close = "]" if b["high"] == 1.0 else ")"
        lines.append(
            f"| [{b['low']}, {b['high']}{close} | {b['pairs']} | {b['true_pairs']} | "
            f"{b['precision']:.3f} | {b['mean_probability']:.4f} |"
        )
    lines.append(f"\nECE (pairs scored >= {report['floor']}): {report['ece']:.4f} "
                 f"over {report['pairs']} pairs")
    return "\n".join(lines)
