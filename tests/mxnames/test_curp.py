import datetime

import pytest

from mxnames.curp import build_curp, check_digit, parse_curp, validate_curp


@pytest.mark.parametrize("curp", ["HEGG560427MVZRRL04", "BEML920313HCMLNS09"])
def test_published_curps_validate(curp):
    assert validate_curp(curp)


def test_check_digit_by_hand():
    # Values (0-9, A=10 … N=23, Ñ=24, O=25 … Z=36) times weights 18 down to 2:
    # H 17*18=306  E 14*17=238  G 16*16=256  G 16*15=240  5*14=70  6*13=78  0*12=0
    # 4*11=44  2*10=20  7*9=63  M 22*8=176  V 32*7=224  Z 36*6=216  R 28*5=140
    # R 28*4=112  L 21*3=63  0*2=0   -> sum 2246 -> (10 - 2246 % 10) % 10 = 4
    assert check_digit("HEGG560427MVZRRL0") == "4"


def test_one_changed_character_usually_breaks_the_check_digit():
    assert not validate_curp("HEGG560427MVZRRL05")
    assert not validate_curp("HEGG560427MVZRRX04")


@pytest.mark.parametrize(
    "bad", ["", "HEGG560427", "HEGG561327MVZRRL04", "1EGG560427MVZRRL04", "HEGG560427MZZRRL04"]
)
def test_malformed_curps_do_not_validate(bad):
    assert not validate_curp(bad)


def test_parse_derives_birth_date_sex_state_and_initials():
    info = parse_curp("hegg-560427-mvzrrl04")
    assert info is not None
    assert info.birth_date == datetime.date(1956, 4, 27)
    assert info.sex == "M"
    assert info.state_code == "30"  # VZ = Veracruz
    assert info.initials == "HEGG"
    assert info.check_digit_ok


def test_homoclave_letter_means_born_in_the_2000s():
    curp = build_curp(
        given_names="Ximena",
        paternal_surname="López",
        maternal_surname="Cruz",
        birth_date=datetime.date(2004, 2, 29),
        sex="M",
        state_code="09",
        homoclave_seed=0,
    )
    assert parse_curp(curp).birth_date == datetime.date(2004, 2, 29)


def test_build_curp_follows_renapo_name_rules():
    # María skipped in a compound name; particles skipped; Ñ written X; missing maternal X.
    curp = build_curp(
        given_names="María de los Ángeles",
        paternal_surname="de la Peña",
        maternal_surname="",
        birth_date=datetime.date(1985, 3, 7),
        sex="M",
        state_code="09",
    )
    # P(eña): P + first inner vowel E; maternal missing X; Ángeles -> A.
    # Consonants: peña -> X (Ñ as X), maternal X, angeles -> N.
    assert curp[:4] == "PEXA"
    assert curp[13:16] == "XXN"
    assert curp[4:13] == "850307MDF"
    assert validate_curp(curp)


def test_inconvenient_words_get_an_x():
    # B-U-E-Y would spell an insult; RENAPO writes BXEY.
    curp = build_curp(
        given_names="Yolanda",
        paternal_surname="Bueno",
        maternal_surname="Espinoza",
        birth_date=datetime.date(1990, 1, 1),
        sex="M",
        state_code="14",
    )
    assert curp[:4] == "BXEY"


def test_build_curp_rejects_an_unknown_sex_with_the_right_call():
    with pytest.raises(ValueError, match="'H', 'M' or 'X'"):
        build_curp(
            given_names="A",
            paternal_surname="B",
            maternal_surname="C",
            birth_date=datetime.date(1990, 1, 1),
            sex="F",
            state_code="01",
        )
