"""Static files in production: collectstatic, then the WSGI app serves them (issue 15, 9).

Production settings (``DJANGO_DEBUG=false``) in a child process: ``collectstatic``
writes hashed, gzip-compressed copies to a temporary ``STATIC_ROOT``, and the WSGI
application (what gunicorn runs) answers ``/static/…`` from them through WhiteNoise.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVE = r"""
import json, sys
from config.wsgi import application
from django.templatetags.static import static

def get(path, **extra):
    host = "registro.example.org"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": host,
               "SERVER_PORT": "443", "HTTP_HOST": host, "wsgi.url_scheme": "https",
               "wsgi.input": sys.stdin.buffer, "wsgi.errors": sys.stderr,
               "QUERY_STRING": "", **extra}
    seen = {}
    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)
    body = b"".join(application(environ, start_response))
    return {"status": seen["status"], "headers": seen["headers"], "size": len(body)}

url = static("public_site/site.css")
print(json.dumps({"url": url, "plain": get(url),
                  "gzip": get(url, HTTP_ACCEPT_ENCODING="gzip"),
                  "missing": get("/static/public_site/nada.css")}))
"""


def test_production_settings_serve_collected_static_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="false",
               SECRET_KEY="k" * 60, ALLOWED_HOSTS="registro.example.org",
               STATIC_ROOT=str(tmp_path / "static"), SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300)
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()  # the hashed-name manifest

    served = subprocess.run([sys.executable, "-c", SERVE], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, timeout=120)
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["url"].startswith("/static/public_site/site.") and answer["url"] != \
        "/static/public_site/site.css"  # a hashed name
    assert answer["plain"]["status"].startswith("200") and answer["plain"]["size"] > 0
    assert "max-age=315360000" in answer["plain"]["headers"]["Cache-Control"]
    assert answer["gzip"]["headers"].get("Content-Encoding") == "gzip"
    assert answer["missing"]["status"].startswith("404")
