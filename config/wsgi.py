import os

from django.core.wsgi import get_wsgi_application

from registry.keys import require_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
require_keys()  # a server never starts without the deployment's keys
application = get_wsgi_application()
