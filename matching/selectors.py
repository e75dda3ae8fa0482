"""Reads of the matching app: merge decisions, as the user's access allows; a candidate's
explanation in the reader's language."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from matching.models import MergeDecision
from matching.phrases import FIELD_LABELS, describe_pair, percent, phrase_for
from registry import access
from registry.models import MatchCandidate, Person


def candidate_phrases(candidate: MatchCandidate) -> list[str]:
    """Return a candidate's explanation as translated phrases, the probability first."""
    explanation = candidate.explanation if isinstance(candidate.explanation, dict) else {}
    return describe_pair(explanation, candidate.probability, translate=gettext)


def probability_text(probability: float) -> str:
    """Return a pair's probability as the reviewer reads it ("93 %", "> 99 %")."""
    return percent(probability)


def explanation_words(field: str, level: str) -> tuple[str, str]:
    """Return a field's label and its level's phrase, translated ("" when there is none)."""
    label, phrase = FIELD_LABELS.get(field), phrase_for(field, level)
    return (gettext(label) if label else field), (gettext(phrase) if phrase else "")


def person_decisions(person: Person) -> QuerySet[MergeDecision]:
    """Return the merges and splits that touched this person, newest first."""
    return (MergeDecision.objects.filter(Q(person=person) | Q(other_person=person))
            .select_related("decided_by", "undone_by", "match_candidate"))


def merge_decisions_visible_to(user: Any) -> QuerySet[MergeDecision]:
    """Return the decisions whose people the user may open (to undo them from the history)."""
    people = access.persons_visible_to(user).values("pk")
    return MergeDecision.objects.filter(Q(person__in=people) | Q(other_person__in=people))


def get_merge_decision_for_user(user: Any, pk: Any) -> MergeDecision:
    """Return the decision if the user may open one of its people, else raise Http404."""
    return access.get_or_404(merge_decisions_visible_to(user), pk)
