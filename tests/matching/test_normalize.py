import datetime

import pytest

from matching.normalize import (
    canonical_given_names,
    fold,
    normalize_name,
    normalize_sex,
    parse_date,
    parse_date_int,
    significant_given_name,
)
from matching.phonetic import phonetic_key


def test_fold_drops_accents_but_keeps_enye():
    assert fold("JOSÉ Ángel Muñoz") == "jose angel muñoz"
    assert fold("Peña") != fold("Pena")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  MA. de los Ángeles ", "maria angeles"),
        ("Ma Guadalupe", "maria guadalupe"),
        ("J. Luis", "jose luis"),
        ("de la Cruz", "cruz"),
        ("Hernández-García", "hernandez garcia"),
        ("O'Connor", "o connor"),
    ],
)
def test_normalize_name_handles_case_accents_particles_and_abbreviations(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("nickname", "name"),
    [
        ("Pepe", "jose"),
        ("Lupe", "guadalupe"),
        ("Chuy", "jesus"),
        ("Paco", "francisco"),
        ("Nacho", "ignacio"),
        ("Memo", "guillermo"),
        ("Lalo", "eduardo"),
        ("Toño", "antonio"),
        ("Conchita", "concepcion"),
        ("Pancho", "francisco"),
    ],
)
def test_nicknames_become_the_full_given_name(nickname, name):
    assert canonical_given_names(nickname) == name


def test_compound_given_names_keep_every_part_and_the_significant_one_is_the_second():
    assert canonical_given_names("María de los Ángeles") == "maria angeles"
    assert significant_given_name("María de los Ángeles") == "angeles"
    assert significant_given_name("José Luis") == "luis"
    assert significant_given_name("Ma. Lupita") == "guadalupe"
    assert significant_given_name("Luis Ángel") == "luis"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hernández", "ERNANDEZ"),
        ("Valdez", "Baldés"),
        ("Jiménez", "Ximénez"),
        ("Yáñez", "Llanes"),
        ("Quiroz", "Kiros"),
        ("Cervantes", "Servantes"),
        ("Guevara", "Guebara"),
        ("Muñoz", "Munoz"),
    ],
)
def test_phonetic_key_joins_spanish_sound_alikes(a, b):
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(
    ("a", "b"), [("García", "Garza"), ("Pérez", "Páez"), ("Gerardo", "Gonzalo")]
)
def test_phonetic_key_keeps_different_names_apart(a, b):
    assert phonetic_key(a) != phonetic_key(b)


def test_soft_and_hard_g_are_told_apart():
    # "ge" sounds like "je"; "gue" keeps the hard g.
    assert phonetic_key("Gerardo") == phonetic_key("Jerardo")
    assert phonetic_key("Guerrero") != phonetic_key("Jerrero")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("H", "H"), ("mujer", "M"), ("M", "M"), ("Female", "M"), ("hombre", "H"), ("x", ""), ("", "")],
)
def test_normalize_sex(raw, expected):
    assert normalize_sex(raw) == expected


def test_dates_parse_from_common_forms_and_impossible_digit_dates_are_kept():
    expected = datetime.date(1985, 3, 7)
    assert parse_date("1985-03-07") == expected
    assert parse_date("07/03/1985") == expected
    assert parse_date("19850307") == expected
    assert parse_date("") is None
    assert parse_date_int("19870231") == 19870231  # a typo is still evidence
    assert parse_date_int("garbage") == 0


def test_name_key_forgives_nicknames_accents_and_spelling():
    from matching.normalize import name_key

    assert name_key("Pepe Ernandes") == name_key("José Hernández")
    assert name_key("MA. GPE. BALDEZ") == name_key("María Guadalupe Valdez")
    assert name_key("Juan Pérez") != name_key("Juan Páez")


@pytest.mark.parametrize(
    "texts",
    [
        ["Francisco Villa 796, Col. Las Palmas", "AV. JUÁREZ #12-B", "", "  Ñandú  3 "],
        ["Calle Ø 12 ç", "Plaza İstanbul Σ 4", "ÀÉÎÕÜ 5"],  # letters beyond the accent table
        ["Hidalgo 1\nCentro", "Morelos 2"],  # a line break inside a value
        [],
    ],
)
def test_a_column_of_addresses_normalises_as_each_one_alone(texts):
    from matching.normalize import normalize_address, normalize_addresses

    assert normalize_addresses(texts) == [normalize_address(t) for t in texts]
