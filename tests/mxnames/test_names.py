"""Folding, name keys and the phonetic key (``mxnames``): pure, run without Django."""

import pytest

from mxnames.names import canonical_given_names, name_key, normalize_name, significant_given_name
from mxnames.nicknames import NICKNAME_CANDIDATES
from mxnames.phonetic import phonetic_key
from mxnames.text import fold, search_key


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
        ("Mike", "miguel"),
        ("Luisito", "luis"),
    ],
)
def test_nicknames_become_the_full_given_name(nickname, name):
    assert canonical_given_names(nickname) == name


def test_meme_may_be_guillermo_or_manuel():
    assert NICKNAME_CANDIDATES["meme"] == {"guillermo", "manuel"}


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


def test_name_key_forgives_nicknames_accents_and_spelling():
    assert name_key("Pepe Ernandes") == name_key("José Hernández")
    assert name_key("MA. GPE. BALDEZ") == name_key("María Guadalupe Valdez")
    assert name_key("Juan Pérez") != name_key("Juan Páez")




def test_fold_composes_a_decomposed_enye_and_folds_compatibility_letters():
    decomposed = "Nun\u0303ez"  # "Nuñez" as macOS writes it: n + combining tilde
    assert fold(decomposed) == "nuñez"
    assert fold("ＪＯＳÉ") == "jose"  # full-width letters from a scanned form


def test_search_key_keeps_words_and_drops_punctuation():
    assert search_key("José  Ángel", "Núñez-Peña", "") == "jose angel nuñez peña"
