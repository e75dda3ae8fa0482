"""A family's decision about publication reaches every public output.

"Do not publish" removes the case from the search (by name and by filter), its poster
(a 404 exactly like a key that never existed), open data (CSV, JSON), PFIF, the public
API and every statistics count. Withdrawing publication gives the entry a new key, so
the old one finds nothing. "Publish without name" shows no name anywhere.
"""

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from registry.models import Case, CasePublication, CaseStatus
from registry.redaction import Audience, record_subject
from registry.services import case_publication_decide
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import CaseFactory, UserFactory, state

OAXACA = "20"


def _decide(case, publication):
    actor = UserFactory(username=f"fiscal-{case.pk}-{publication}")
    # As in production, what follows the commit runs (the cached counts start again).
    with TestCase.captureOnCommitCallbacks(execute=True):
        case_publication_decide(case=case, publication=publication, actor=actor,
                                decided_by="Madre de la persona",
                                reason="Decisión de la familia")
    return Case.objects.get(pk=case.pk)


def _body(response) -> str:
    content = (b"".join(response.streaming_content) if getattr(response, "streaming", False)
               else response.content)
    return content.decode("utf-8")


# Every public output that lists entries: (name, url, query).
LISTINGS = [
    ("search by name", "public_site:search", {"q": "Vetada Quintanar"}),
    ("search by filter", "public_site:search", {"estado": OAXACA}),
    ("search by status", "public_site:search", {"situacion": CaseStatus.MISSING}),
    ("api by name", "api:entry_list", {"q": "Vetada Quintanar"}),
    ("api by filter", "api:entry_list", {"estado": OAXACA}),
    ("api, every entry", "api:entry_list", {}),
    ("open data csv", "public_site:open_data_csv", {}),
    ("open data json", "public_site:open_data_json", {}),
    ("pfif", "public_site:open_data_pfif", {}),
]


@pytest.fixture
def vetoed(db):
    """A published case in Oaxaca, and another case that stays published."""
    CaseFactory(publication_consent=True, missing_report__given_names="Sigue",
                missing_report__paternal_surname="Publicada",
                missing_report__event_state=state(OAXACA))
    return CaseFactory(publication_consent=True, missing_report__given_names="Vetada",
                       missing_report__paternal_surname="Quintanar",
                       missing_report__event_state=state(OAXACA))


def _statistics(client: Client) -> dict:
    figures = client.get(reverse("api:statistics")).json()
    oaxaca = next((row["n"] for row in figures["by_state"] if row["code"] == OAXACA), 0)
    missing = next(row["n"] for row in figures["by_status"]
                   if row["code"] == CaseStatus.MISSING)
    return {"total": figures["total"], "oaxaca": oaxaca, "missing": missing}


@pytest.mark.parametrize(("output", "url", "query"), LISTINGS, ids=[o[0] for o in LISTINGS])
def test_a_vetoed_case_leaves_every_listing(client, vetoed, output, url, query):
    key = vetoed.public_key
    before = _body(client.get(reverse(url), query))
    assert key in before and "Quintanar" in before
    vetoed = _decide(vetoed, CasePublication.WITHHOLD)
    after = _body(client.get(reverse(url), query))
    # (A name search echoes what was asked: there the key is the trace.)
    traces = (key, vetoed.public_key) if "q" in query else (key, vetoed.public_key,
                                                             "Vetada", "Quintanar")
    for trace in traces:
        assert trace not in after, (output, trace)
    if "q" not in query:  # the other case is still there: the output still works
        assert "Publicada" in after


@pytest.mark.parametrize("url_name", ["public_site:entry", "api:entry_detail"])
def test_the_old_key_404s_exactly_like_a_key_that_never_existed(client, vetoed, url_name):
    old_key = vetoed.public_key
    assert client.get(reverse(url_name, args=[old_key])).status_code == 200
    vetoed = _decide(vetoed, CasePublication.WITHHOLD)
    assert vetoed.public_key != old_key
    never = client.get(reverse(url_name, args=["0123456789abcdef0123"]))
    for key in (old_key, vetoed.public_key):  # nor does the new key open a withheld case
        gone = client.get(reverse(url_name, args=[key]))
        assert gone.status_code == never.status_code == 404
        assert _body(gone).replace(key, "") == _body(never).replace("0123456789abcdef0123", "")


def test_every_statistics_count_drops_at_once(client, vetoed):
    before = _statistics(client)  # cached from here on
    html_before = _body(client.get(reverse("public_site:statistics")))
    _decide(vetoed, CasePublication.WITHHOLD)
    after = _statistics(client)
    assert after == {name: count - 1 for name, count in before.items()}
    html_after = _body(client.get(reverse("public_site:statistics")))
    assert html_before != html_after
    csv_rows = _body(client.get(reverse("public_site:statistics_csv"))).splitlines()
    assert f"entidad,{OAXACA},Oaxaca,{after['oaxaca']}" in csv_rows


def test_the_statistics_page_says_it_counts_published_cases(client, db):
    page = _body(client.get(reverse("public_site:statistics")))
    assert "cuentan sólo los casos publicados" in page


def test_publishing_again_gives_a_new_key_and_the_old_ones_stay_dead(client, vetoed):
    first_key = vetoed.public_key
    vetoed = _decide(vetoed, CasePublication.WITHHOLD)
    vetoed = _decide(vetoed, CasePublication.PUBLISH)
    assert vetoed.public_key not in (first_key, None)
    assert client.get(reverse("public_site:entry", args=[vetoed.public_key])).status_code == 200
    assert client.get(reverse("public_site:entry", args=[first_key])).status_code == 404
    assert first_key not in _body(client.get(reverse("public_site:open_data_csv")))


def _public_bodies(client: Client, key: str) -> list[str]:
    # Name searches echo the words asked: they are checked by key, in the test.
    urls = [reverse(url, query=query) for _name, url, query in LISTINGS if "q" not in query]
    urls += [reverse("public_site:entry", args=[key]), reverse("api:entry_detail", args=[key]),
             reverse("public_site:statistics"), reverse("public_site:statistics_csv"),
             reverse("api:statistics")]
    return [_body(client.get(url)) for url in urls]


def test_publish_without_name_shows_no_name_anywhere(client, db):
    world = seed_canary_world(consent=True)
    old_key = world.case.public_key
    assert any("Canarygiven1" in body for body in _public_bodies(client, old_key))
    case = _decide(world.case, CasePublication.WITHOUT_NAME)
    assert case.public_key != old_key  # less published: a new key
    bodies = _public_bodies(client, case.public_key)
    everything = "\n".join(bodies)
    assert case.public_key in everything  # the entry is still public, without its name
    assert old_key not in everything
    by_name = client.get(reverse("api:entry_list"), {"q": "Canarygiven1 Canarypaternal1"})
    assert by_name.json()["count"] == 0  # a name the public does not see is not searchable
    for name in ("Canarygiven1", "Canarypaternal1", "Canarymaternal1", "CanaryDescription1"):
        assert name.lower() not in everything.lower()
    for body in bodies:
        assert_no_canaries(body, _without_name(world), Audience.PUBLIC)


def _without_name(world):
    """The canary world as the policy now sees it: its case published without name."""
    subject = record_subject(world.missing_report, publication=CasePublication.WITHOUT_NAME)
    for value, (label, field, old) in list(world.canaries.items()):
        if label == "registry.record" and old.kind == "missing_report":
            world.canaries[value] = (label, field, subject)
    return world


def test_a_case_never_published_is_not_counted_nor_listed(client, db):
    CaseFactory(publication=CasePublication.WITHHOLD, missing_report__given_names="Reservada")
    assert _statistics(client)["total"] == 0
    assert "Reservada" not in _body(client.get(reverse("public_site:open_data_json")))
