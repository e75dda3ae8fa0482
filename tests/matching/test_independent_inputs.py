"""What agencies write that the linker must read: whole names in one box, ages
with their unit, voter keys in the identity-number box, fathers and sons of
the same name.
"""

from __future__ import annotations

import datetime

from matching.decisions import NAMESAKES, Identity, generation_apart, hold_reason
from matching.records import parse_age, prepare, split_whole_name
from mxnames.curp import voter_key_birth_and_sex


def test_a_whole_name_in_the_given_name_box_is_split_into_names_and_surnames():
    assert split_whole_name("JUAN CARLOS SANCHEZ AGUILAR", "", "") == (
        "JUAN CARLOS", "SANCHEZ", "AGUILAR")
    assert split_whole_name("Israel Castro González", "", "") == ("Israel", "Castro", "González")
    # Particles stay with the surname after them.
    assert split_whole_name("María de los Ángeles de la Peña Ruíz", "", "") == (
        "María de los Ángeles", "de la Peña", "Ruíz")


def test_a_given_name_alone_is_not_split():
    assert split_whole_name("José Luis", "", "") == ("José Luis", "", "")
    assert split_whole_name("María de los Ángeles", "", "") == ("María de los Ángeles", "", "")
    # A surname box filled: the given names are given names.
    assert split_whole_name("Juan Carlos Alberto", "Pérez", "") == (
        "Juan Carlos Alberto", "Pérez", "")


def test_the_split_name_prepares_like_the_same_name_in_three_boxes():
    whole = prepare({"record_id": "a", "given_names": "JOSE BAUTISTA ACOSTA"})
    boxes = prepare({"record_id": "b", "given_names": "Jose", "paternal_surname": "Bautista",
                     "maternal_surname": "Acosta"})
    for name in ("given", "paternal", "maternal", "initials", "curp_initials"):
        assert whole[name] == boxes[name], name


def test_ages_are_read_with_or_without_their_unit():
    assert [parse_age(t) for t in ("54", "54 años", "54 AÑOS", "7 a.", "54anos")] == [
        54, 54, 54, 7, 54]
    assert [parse_age(t) for t in ("", "²", "cincuenta", "540", "54.5", "1990")] == [-1] * 6
    prepared = prepare({"record_id": "a", "age": "54 años", "event_date": "2010-10-20"})
    assert prepared["birth_year"] == 1956


def test_a_voter_key_gives_birth_date_and_sex_the_fields_lack():
    # Six letters, 850312 (12 March 1985), state 14, H, three digits.
    assert voter_key_birth_and_sex("GOMRJS85031214H500", 2020) == (19850312, "H")
    # Two digits of a year: the 2000s unless that is after the event.
    assert voter_key_birth_and_sex("GOMRJS05031214M500", 2021) == (20050312, "M")
    assert voter_key_birth_and_sex("GOMRJS25031214M500", 2021) == (19250312, "M")
    assert voter_key_birth_and_sex("GOMRJS85023114H500", 2020) is None  # 31 February
    assert voter_key_birth_and_sex("GOML970417HZSMRS05", 2020) is None  # a CURP
    prepared = prepare({"record_id": "a", "id_number": "gomrjs-85031214H500",
                        "event_date": "2019-06-01"})
    assert (prepared["birth"], prepared["sex"]) == (19850312, 1)
    # A birth date written in the record wins over the key's.
    prepared = prepare({"record_id": "a", "id_number": "GOMRJS85031214H500",
                        "birth_date": "1985-03-21"})
    assert prepared["birth"] == 19850321


def _identity(given, birth="", age="", event=""):
    return Identity.of_record({"record_id": "x", "given_names": given,
                               "paternal_surname": "Castellobos", "maternal_surname": "López",
                               "birth_date": birth, "age": age, "event_date": event})


def test_a_father_and_son_of_the_same_name_are_held_whatever_the_names_frequency():
    # Rare name, no model: only the generation between them tells them apart.
    father = _identity("Rubén", birth="1954-01-19")
    son = _identity("RUBÉN", birth="06/06/1978")
    assert generation_apart(father, son)
    assert hold_reason(father, son) == NAMESAKES
    # An age against a birth date: 48 in 2019 is born about 1971, not in 2004.
    assert hold_reason(_identity("Ernesto", age="48", event="2019-06-06"),
                       _identity("Ernesto", birth="2004-06-09")) == NAMESAKES


def test_a_slip_of_one_digit_in_the_year_is_not_a_generation():
    # 1978 written 1958: twenty years, one digit.
    assert not generation_apart(_identity("Rubén", birth="1978-06-06"),
                                _identity("Rubén", birth="1958-06-06"))
    assert not generation_apart(_identity("Rubén", age="40", event="2018-01-01"),
                                _identity("Rubén", age="60", event="2018-01-01"))
    # Fourteen years: not yet a generation.
    assert not generation_apart(_identity("Rubén", birth="1978-06-06"),
                                _identity("Rubén", birth="1992-02-11"))


def test_the_reference_year_of_a_voter_key_without_event_is_this_year():
    this_year = datetime.date.today().year
    two = this_year % 100
    assert voter_key_birth_and_sex(f"GOMRJS{two:02d}031214M500", this_year)[0] // 10000 == (
        this_year)
