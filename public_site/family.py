"""What a family sees of its own case once its folio and access code were checked."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection

from public_site.entries import NAME_FIELDS, STATUS_LABELS
from public_site.prepared import prepared_fetchall, prepared_statement
from registry.models import (
    Agency,
    Case,
    CaseStatus,
    CaseStatusChange,
    MatchCandidate,
    MatchDecision,
    Record,
    State,
)
from registry.redaction import Audience, redact_case, redact_record


def case_has_linked_record(case: Case) -> bool:
    """Return True if a record of another agency is linked to the case (no details).

    Linked means: in the same person cluster as the case, or a confirmed match with
    the case's missing-person report. One statement (the family's page is busy); each
    test follows an index (person, match pair).
    """
    report_id, person_id, agency_id = case.missing_report_id, case.person_id, case.agency_id
    if person_id is None and report_id is None:
        return False
    # Table names come from the models, values are parameters.
    records, matches = Record._meta.db_table, MatchCandidate._meta.db_table
    pair_linked = (
        f"EXISTS (SELECT 1 FROM {matches} m JOIN {records} r "  # noqa: S608
        "ON r.id = m.{other}_id WHERE m.decision = %s AND m.{this}_id = %s "
        "AND r.agency_id <> %s)")
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {records} WHERE person_id = %s "  # noqa: S608
        "AND agency_id <> %s AND (%s IS NULL OR id <> %s)) "
        f"OR {pair_linked.format(this='record_left', other='record_right')} "
        f"OR {pair_linked.format(this='record_right', other='record_left')}"
    )
    confirmed = MatchDecision.CONFIRMED.value
    params = [person_id, agency_id, report_id, report_id,
              confirmed, report_id, agency_id, confirmed, report_id, agency_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def _raw_one(model, sql: str, types: list[str], params: list[Any]):
    """Return the one instance ``sql`` selects ($1, $2… parameters), or None.

    Prepared on PostgreSQL (planned once per connection); plain on SQLite.
    """
    if connection.vendor == "postgresql":
        return next(iter(model.objects.raw(prepared_statement(sql, types), params)), None)
    plain = sql
    for index in range(len(types), 0, -1):
        plain = plain.replace(f"${index}", "%s")
    return next(iter(model.objects.raw(plain, params)), None)


@functools.cache
def _family_statements() -> tuple[str, str]:
    # Columns listed, never "*": a prepared "SELECT *" fails ("cached plan must not
    # change result type") once a migration adds a column under a running server.
    case_columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    record_columns = ", ".join(f"r.{field.column}" for field in Record._meta.concrete_fields)
    case_sql = (
        f"SELECT {case_columns}, a.name AS agency_name_ "  # noqa: S608
        f"FROM {Case._meta.db_table} c JOIN {Agency._meta.db_table} a "
        "ON a.id = c.agency_id WHERE c.id = $1")
    report_sql = (
        f"SELECT {record_columns}, s.name AS event_state_name_ "  # noqa: S608
        f"FROM {Record._meta.db_table} r LEFT JOIN {State._meta.db_table} s "
        "ON s.code = r.event_state_id WHERE r.id = $1")
    return case_sql, report_sql


def family_case_get(case_id: int) -> Case | None:
    """Return the case a family opened, with its report, state and agency names.

    Two plain statements instead of the ORM's four-way join: on the family's status
    page, compiling and planning that join cost more than running it. The related
    state and agency are attached as unsaved instances holding only their names.
    """
    case_sql, report_sql = _family_statements()
    case = _raw_one(Case, case_sql, ["bigint"], [case_id])
    if case is None:
        return None
    case.agency = Agency(pk=case.agency_id, name=case.agency_name_)
    if case.missing_report_id is not None:
        report = _raw_one(Record, report_sql, ["bigint"], [case.missing_report_id])
        if report.event_state_id:
            report.event_state = State(code=report.event_state_id,
                                       name=report.event_state_name_)
        case.missing_report = report
    return case


def _status_changes(case_id: int) -> list[tuple[str, Any]]:
    if connection.vendor == "postgresql":  # the family page's hottest query, prepared
        return prepared_fetchall(
            f"SELECT to_status, changed_at FROM {CaseStatusChange._meta.db_table} "  # noqa: S608
            "WHERE case_id = $1 ORDER BY changed_at, id", ["bigint"], [case_id])
    changes = CaseStatusChange.objects.filter(case_id=case_id).order_by("changed_at", "id")
    return list(changes.values_list("to_status", "changed_at"))


def family_case_view(case: Case) -> dict[str, Any]:
    """Return what the family sees of its case: status, last update, history, link."""
    shown = redact_case(case, Audience.FAMILY)
    history = [
        {"to_status": to_status, "to_label": str(STATUS_LABELS[to_status]),
         "changed_at": changed_at}
        for to_status, changed_at in _status_changes(case.pk)
    ]
    record = redact_record(case.missing_report, Audience.FAMILY) if case.missing_report else {}
    return {
        "case": shown,
        "status_label": str(CaseStatus(shown["status"]).label),
        "last_update": max(shown["updated_at"], shown["status_changed_at"]),
        "history": history,
        "has_linked_record": case_has_linked_record(case),
        "name": " ".join(str(record[n]) for n in NAME_FIELDS if record.get(n)),
    }
