"""Production keys: offline commands run without them; serving and pseudonyms never do."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from registry.redaction import pseudonym

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "PSEUDONYM_KEY", "DJANGO_DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_migration_check_runs_without_a_secret_key():
    result = _run("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_server_refuses_to_start_without_a_secret_key(module):
    result = _run("-c", f"import {module}")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_pseudonyms_refuse_an_empty_key(settings):
    settings.PSEUDONYM_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        pseudonym("registry.case.id", 1)
