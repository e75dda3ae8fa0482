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
from registry.redaction import Audience, agency_contact, redact_case, redact_record


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
        f"SELECT {case_columns}, a.name AS agency_name_, "  # noqa: S608
        "a.contact_office AS agency_office_, a.contact_phone AS agency_phone_, "
        "a.contact_hours AS agency_hours_, a.contact_address AS agency_address_ "
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
    case.agency = Agency(pk=case.agency_id, name=case.agency_name_,
                         contact_office=case.agency_office_, contact_phone=case.agency_phone_,
                         contact_hours=case.agency_hours_,
                         contact_address=case.agency_address_)
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
        # The last change of status: issuing a code or a notice is no news about the person.
        "last_update": shown["status_changed_at"],
        "history": history,
        "has_linked_record": case_has_linked_record(case),
        "name": " ".join(str(record[n]) for n in NAME_FIELDS if record.get(n)),
        "contact": agency_contact(case.agency, Audience.FAMILY),
    }


@functools.cache
def _family_page_statement() -> str:
    """The family page's one statement (PostgreSQL): case, agency, report, state, history
    and the linked-record test together, instead of four round trips and two ORM
    hydrations. The same columns and conditions as ``family_case_get``,
    ``_status_changes`` and ``case_has_linked_record``, which serve SQLite and the POST.
    """
    cases, records, agencies = Case._meta.db_table, Record._meta.db_table, \
        Agency._meta.db_table
    states, changes = State._meta.db_table, CaseStatusChange._meta.db_table
    matches = MatchCandidate._meta.db_table
    case_columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    record_columns = ", ".join(f"r.{field.column}" for field in Record._meta.concrete_fields)
    confirmed = MatchDecision.CONFIRMED.value  # a constant of the model
    pair_linked = (
        f"EXISTS (SELECT 1 FROM {matches} m JOIN {records} o "  # noqa: S608
        "ON o.id = m.{other}_id WHERE m.decision = '" + confirmed + "' "
        "AND m.{this}_id = c.missing_report_id AND o.agency_id <> c.agency_id)")
    return (
        f"SELECT {case_columns}, a.name, a.contact_office, a.contact_phone, "  # noqa: S608
        f"a.contact_hours, a.contact_address, {record_columns}, s.name, "
        f"ARRAY(SELECT h.to_status FROM {changes} h WHERE h.case_id = c.id "
        "ORDER BY h.changed_at, h.id), "
        f"ARRAY(SELECT h.changed_at FROM {changes} h WHERE h.case_id = c.id "
        "ORDER BY h.changed_at, h.id), "
        f"(EXISTS (SELECT 1 FROM {records} o WHERE o.person_id = c.person_id "
        "AND o.agency_id <> c.agency_id "
        "AND (c.missing_report_id IS NULL OR o.id <> c.missing_report_id)) "
        f"OR {pair_linked.format(this='record_left', other='record_right')} "
        f"OR {pair_linked.format(this='record_right', other='record_left')}) "
        f"FROM {cases} c JOIN {agencies} a ON a.id = c.agency_id "
        f"LEFT JOIN {records} r ON r.id = c.missing_report_id "
        f"LEFT JOIN {states} s ON s.code = r.event_state_id WHERE c.id = $1")


def family_view_get(case_id: int) -> dict[str, Any] | None:
    """Return what the family sees of its case (``family_case_view``), or None.

    PostgreSQL: one prepared statement; the case and report are built from its row
    (``Model.from_db``, no queryset) and redacted for ``Audience.FAMILY`` as always.
    """
    if connection.vendor != "postgresql":
        case = family_case_get(case_id)
        return family_case_view(case) if case is not None else None
    rows = prepared_fetchall(_family_page_statement(), ["bigint"], [case_id])
    if not rows:
        return None
    row = rows[0]
    case_fields = Case._meta.concrete_fields
    record_fields = Record._meta.concrete_fields
    split = len(case_fields)
    case = Case.from_db("default", [f.attname for f in case_fields], row[:split])
    office, phone, hours, address = row[split + 1: split + 5]
    case.agency = Agency(pk=case.agency_id, name=row[split], contact_office=office,
                         contact_phone=phone, contact_hours=hours, contact_address=address)
    start = split + 5  # after the agency's name and its four contact columns
    record_values = row[start: start + len(record_fields)]
    state_name, to_statuses, changed_ats, linked = row[start + len(record_fields):]
    report = None
    if case.missing_report_id is not None:
        report = Record.from_db("default", [f.attname for f in record_fields], record_values)
        if report.event_state_id:
            report.event_state = State(code=report.event_state_id, name=state_name)
        case.missing_report = report  # the report's case (its publication) without a query
    shown = redact_case(case, Audience.FAMILY)
    record = redact_record(report, Audience.FAMILY) if report is not None else {}
    return {
        "case": shown,
        "status_label": str(CaseStatus(shown["status"]).label),
        # The last change of status: issuing a code or a notice is no news about the person.
        "last_update": shown["status_changed_at"],
        "history": [{"to_status": to_status, "to_label": str(STATUS_LABELS[to_status]),
                     "changed_at": changed_at}
                    for to_status, changed_at in zip(to_statuses, changed_ats, strict=True)],
        "has_linked_record": bool(linked),
        "name": " ".join(str(record[n]) for n in NAME_FIELDS if record.get(n)),
        "contact": agency_contact(case.agency, Audience.FAMILY),
    }
