"""Background work of the staff area (Celery; inline when no broker is configured)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from staff.export_files import export_file_write, filters_from_dict


@shared_task(acks_late=True)
def export_to_storage(user_id: int, export_format: str, filters: dict[str, Any],
                      k: int | None, purpose: str, ip_address: str | None = None,
                      job: str | None = None) -> str:
    """Prepare an NGO export in the file storage for ``user_id``; return its name.

    ``job`` (``export_files.export_job_start``) names the file and carries its progress.
    """
    user = get_user_model().objects.get(pk=user_id)
    return export_file_write(actor=user, export_format=export_format,
                             filters=filters_from_dict(filters), k=k, purpose=purpose,
                             ip_address=ip_address, job=job)
