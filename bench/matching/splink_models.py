"""Splink (DuckDB backend, unsupervised) configured two ways for the benchmark.

* ``tuned``: as an expert would: the same normalised columns our core uses
  (accent folding, particles, nicknames, Spanish phonetic keys), term-frequency
  adjustments on names, phonetic levels, birth-date levels with day/month
  swapped, one-digit typos and year ±1, a level that sees swapped surnames,
  identity-number (CURP) edit-distance levels, the same blocking passes as
  ours, and EM sessions that never block on the field they estimate.
* ``untuned``: Splink's comparison library out of the box on lightly cleaned
  raw columns, a few obvious blocking rules, default training.
"""

from __future__ import annotations

import pandas as pd

from matching.records import prepare

_PREPARED = [
    "given",
    "given_sig",
    "given_ph",
    "given_sig_ph",
    "paternal",
    "maternal",
    "paternal_ph",
    "maternal_ph",
    "id_number",
    "id_head",
    "id_tail",
    "sig10",
    "state",
    "municipality",
    "address",
    "address_key",
    "initials",
    "initials2",
]
_INTS = ["sex", "birth_year", "birth_md", "event"]


def tuned_frame(rows: list[dict[str, str]], source: str) -> pd.DataFrame:
    """Return the rows with the same prepared columns the core computes."""
    records = []
    for row in rows:
        prepared = prepare(row)
        record = {"unique_id": prepared["record_id"], "source_dataset": source}
        for column in _PREPARED:
            record[column] = prepared[column] or None
        for column in _INTS:
            record[column] = prepared[column] or None
        birth = prepared["birth"]
        record["birth"] = (
            f"{birth // 10000:04d}-{birth // 100 % 100:02d}-{birth % 100:02d}" if birth else None
        )
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column in _INTS:
        frame[column] = frame[column].astype("Int64")
    return frame


def _name_comparison(cl, cll, column: str, phonetic: str, *, swapped_with: str | None = None):
    levels = [cll.NullLevel(column), cll.ExactMatchLevel(column, term_frequency_adjustments=True)]
    if swapped_with:
        levels.append(
            cll.ColumnsReversedLevel(column, swapped_with).configure(
                label_for_charts=f"{column} swapped with {swapped_with}"
            )
        )
    levels += [
        cll.JaroWinklerLevel(column, 0.92),
        cll.ExactMatchLevel(phonetic).configure(label_for_charts=f"phonetic {column}"),
        cll.JaroWinklerLevel(column, 0.80),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name=column)


def tuned_settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    birth_levels = [
        cll.CustomLevel(
            "(birth_l IS NULL OR birth_r IS NULL) "
            "AND (birth_year_l IS NULL OR birth_year_r IS NULL)"
        ).configure(is_null_level=True, label_for_charts="null"),
        cll.CustomLevel("birth_l = birth_r", "exact"),
        cll.CustomLevel(
            "substr(birth_l, 1, 4) = substr(birth_r, 1, 4) AND substr(birth_l, 6, 2) = "
            "substr(birth_r, 9, 2) AND substr(birth_l, 9, 2) = substr(birth_r, 6, 2)",
            "day and month swapped",
        ),
        cll.CustomLevel("levenshtein(birth_l, birth_r) <= 1", "one digit differs"),
        cll.CustomLevel(
            "substr(birth_l, 6, 5) = substr(birth_r, 6, 5) AND "
            "abs(birth_year_l - birth_year_r) = 1",
            "year off by one",
        ),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "birth year within 1 (ages)"),
        cll.ElseLevel(),
    ]
    comparisons = [
        _name_comparison(cl, cll, "given", "given_ph"),
        _name_comparison(cl, cll, "paternal", "paternal_ph", swapped_with="maternal"),
        _name_comparison(cl, cll, "maternal", "maternal_ph", swapped_with="paternal"),
        cl.CustomComparison(birth_levels, output_column_name="birth"),
        cl.ExactMatch("sex"),
        cl.CustomComparison(
            [
                cll.NullLevel("id_number"),
                cll.ExactMatchLevel("id_number"),
                cll.LevenshteinLevel("id_number", 1),
                cll.LevenshteinLevel("id_number", 2),
                cll.ElseLevel(),
            ],
            output_column_name="id_number",
        ),
        cl.CustomComparison(
            [
                cll.NullLevel("state"),
                cll.ExactMatchLevel("municipality"),
                cll.ExactMatchLevel("state"),
                cll.ElseLevel(),
            ],
            output_column_name="location",
        ),
        cl.CustomComparison(
            [
                cll.NullLevel("address"),
                cll.ExactMatchLevel("address"),
                cll.ExactMatchLevel("address_key"),
                cll.JaroWinklerLevel("address", 0.9),
                cll.JaroWinklerLevel("address", 0.75),
                cll.ElseLevel(),
            ],
            output_column_name="address",
        ),
        cl.CustomComparison(
            [
                cll.NullLevel("event"),
                cll.CustomLevel("abs(event_l - event_r) <= 31", "within 31 days"),
                cll.CustomLevel("abs(event_l - event_r) <= 400", "within 400 days"),
                cll.ElseLevel(),
            ],
            output_column_name="event",
        ),
    ]
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=_same_blocking_as_ours(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _same_blocking_as_ours() -> list[str]:
    # The same passes as matching.blocking.default_blocking_rules, in SQL.
    def eq(*columns: str) -> str:
        return " AND ".join(f"l.{c} = r.{c}" for c in columns)

    return [
        eq("id_number"),
        eq("sig10"),
        eq("paternal_ph", "birth_year"),
        eq("given_sig", "birth"),
        eq("paternal_ph", "maternal_ph"),
        "l.paternal_ph = r.maternal_ph AND l.maternal_ph = r.paternal_ph",
        eq("paternal_ph", "given_sig_ph"),
        eq("maternal_ph", "given_sig_ph"),
        eq("maternal_ph", "given_sig", "birth_year"),
        "l.paternal_ph = r.maternal_ph AND l.given_sig = r.given_sig",
        "l.maternal_ph = r.paternal_ph AND l.given_sig = r.given_sig",
        eq("birth"),
        eq("given_sig", "birth_md"),
        eq("initials", "birth_year"),
        eq("initials2", "birth_year", "sex"),
        eq("id_head"),
        eq("id_tail"),
        eq("municipality", "address_key"),
        eq("municipality", "paternal_ph"),
    ]


def train_tuned(linker) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("given", "paternal", "maternal", "birth")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    # Each session blocks on fields whose comparisons it then does not estimate.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("paternal_ph", "given_sig_ph")
    )


def untuned_frame(rows: list[dict[str, str]], source: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    for column in (
        "given_names",
        "paternal_surname",
        "maternal_surname",
        "sex",
        "birth_date",
        "id_number",
        "state",
    ):
        if column not in frame:
            frame[column] = ""
        frame[column] = (
            frame[column].fillna("").astype(str).str.strip().str.lower().replace("", None)
        )
    frame = frame.rename(columns={"record_id": "unique_id"})
    frame["source_dataset"] = source
    return frame[
        [
            "unique_id",
            "source_dataset",
            "given_names",
            "paternal_surname",
            "maternal_surname",
            "sex",
            "birth_date",
            "id_number",
            "state",
        ]
    ]


def untuned_settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_names"),
            cl.NameComparison("paternal_surname"),
            cl.NameComparison("maternal_surname"),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("id_number", [1, 2]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_names", "paternal_surname"),
            block_on("birth_date"),
            block_on("paternal_surname", "maternal_surname"),
            block_on("id_number"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_untuned(linker) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "paternal_surname", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_names", "paternal_surname")
    )
