import datetime
import random

import numpy as np
import pytest

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from matching.records import (
    INT_FEATURES,
    STRING_FEATURES,
    RecordTable,
    Vocabularies,
    column_values,
    prepare,
    prepare_columns,
)
from mxnames.curp import clean_curp, curp_flags, parse_curp

# Records that take every unusual branch of the preparation.
ODD_RECORDS = [
    {"record_id": " x1 ", "maternal_surname": "García", "birth_date": "1990-01-02"},
    {
        "record_id": "x2",
        "given_names": "Ma. de los Ángeles",
        "paternal_surname": "de la",
        "maternal_surname": "Peña",
        "age": "34",
        "event_date": "2020-05-01",
    },
    {"record_id": "x3", "given_names": None, "age": "²", "event_date": datetime.date(2020, 1, 1)},
    {
        "record_id": 4,
        "birth_date": datetime.date(1980, 2, 29),
        "id_number": "hegc-9312 10MNLRNR28",
        "sex": "mujer",
        "address": "Calle Ø 12 ç",
    },
    {
        "record_id": "x5",
        "given_names": "Pepe",
        "paternal_surname": "Ñandú",
        "maternal_surname": "",
        "birth_date": "19870231",
        "id_number": "ABC12",
    },
    {
        "record_id": "x6",
        "given_names": "Juan",
        "paternal_surname": "Vaca",
        "maternal_surname": "Ana",
        "birth_date": "02/03/1971",
        "state": "Méx",
    },
    {"record_id": "x7"},
    # A whole name in the given-name box, an age with its unit, voter keys.
    {"record_id": "x8", "given_names": "María de los Ángeles de la Peña Ruíz", "age": "54 años",
     "event_date": "2019-03-01", "id_number": "PERUMR65031209M500"},
    {"record_id": "x9", "given_names": " JUAN CARLOS SANCHEZ AGUILAR ", "paternal_surname": " ",
     "id_number": "SNAGJN05100828H380"},
    {"record_id": "x10", "given_names": "José Luis", "id_number": "SNAGJN73100828H380",
     "birth_date": "1970-01-02", "sex": "M"},
]


def as_input(record: SyntheticRecord) -> dict:
    # A date object, as the Django adapter passes it.
    return {**record.as_row(), "birth_date": record.birth_date}


def synthetic_records() -> list[dict]:
    left, right = generate_linkage_dataset(seed=7, n_left=300, n_right=1500, overlap=0.5)
    return [as_input(r) for r in left + right]


@pytest.mark.parametrize("records", [ODD_RECORDS, ODD_RECORDS[:1], "synthetic"])
def test_column_wise_preparation_equals_record_by_record(records):
    records = synthetic_records() if records == "synthetic" else records
    columns = prepare_columns(records)
    expected = [prepare(record) for record in records]
    for name in ("record_id", *STRING_FEATURES, *INT_FEATURES):
        values = column_values(columns[name])
        values = values.tolist() if isinstance(values, np.ndarray) else list(values)
        assert values == [p[name] for p in expected], name


def test_a_table_built_from_columns_equals_one_built_record_by_record():
    records = synthetic_records()[:500] + ODD_RECORDS
    by_columns = RecordTable.from_records(records, Vocabularies())
    by_record = RecordTable(Vocabularies())
    for record in records:
        by_record.append(prepare(record))
    assert by_columns.record_ids == by_record.record_ids
    for name in STRING_FEATURES:
        assert by_columns.text(name).tolist() == by_record.text(name).tolist(), name
        left_vocab = by_columns.vocabularies[STRING_FEATURES[name]].strings
        right_vocab = by_record.vocabularies[STRING_FEATURES[name]].strings
        as_strings = [left_vocab[i] for i in by_columns.column(name)]
        assert as_strings == [right_vocab[i] for i in by_record.column(name)], name
    for name in INT_FEATURES:
        assert by_columns.column(name).tolist() == by_record.column(name).tolist(), name


def test_an_empty_input_prepares_to_an_empty_table():
    assert len(RecordTable.from_records([], Vocabularies())) == 0


def test_curp_flags_agree_with_parsing_one_by_one():
    rng = random.Random(3)
    curps = [r["id_number"] for r in synthetic_records() if r["id_number"]]
    mutated = []
    for curp in curps[:400]:
        position = rng.randrange(18)
        mutated.append(curp[:position] + rng.choice("0123456789ABXZÑ") + curp[position + 1 :])
    # 29 February only in leap years; a day past the month's end.
    dates = ["HEGC000229MNLRNRA8", "HEGC010229MNLRNRA8", "HEGC000431MNLRNRA8"]
    odd = [d[:17] + str(digit) for d in dates for digit in range(10)] + ["", "ABC", "x" * 18]
    cleaned = [clean_curp(x) for x in curps + mutated + odd]
    shaped, valid = curp_flags(cleaned)
    for text, has, ok in zip(cleaned, shaped.tolist(), valid.tolist(), strict=True):
        parsed = parse_curp(text) if len(text) == 18 else None
        assert has == (parsed is not None), text
        assert ok == (
            parsed is not None and parsed.check_digit_ok and parsed.birth_date is not None
        ), text
    assert valid.sum() > len(curps) * 0.5  # the check is not vacuous


def test_records_prepared_in_two_processes_give_the_same_table(monkeypatch):
    import matching.records

    monkeypatch.setattr(matching.records, "PARALLEL_MIN_RECORDS", 100)
    records = synthetic_records()[:700] + ODD_RECORDS
    assert len(matching.records.prepare_parts(records, workers=2)) == 2
    alone = RecordTable.from_records(records, Vocabularies())
    shared = RecordTable.from_records(records, Vocabularies(), workers=2)
    assert shared.record_ids == alone.record_ids
    for name in STRING_FEATURES:
        assert shared.text(name).tolist() == alone.text(name).tolist(), name
        # Ids may be numbered in another order, but equal strings share one.
        strings = shared.vocabularies[STRING_FEATURES[name]].strings
        assert [strings[i] for i in shared.column(name)] == alone.text(name).tolist(), name
    for name in INT_FEATURES:
        assert shared.column(name).tolist() == alone.column(name).tolist(), name
    columns = prepare_columns(records, workers=2)
    assert column_values(columns["given"]).tolist() == alone.text("given").tolist()
