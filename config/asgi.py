import os

from django.core.asgi import get_asgi_application

from registry.keys import require_keys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
require_keys()  # a server never starts without the deployment's keys
application = get_asgi_application()
