from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from config import health, metrics
from registry.login_guard import LockoutAwareAuthenticationForm

urlpatterns = [
    # Liveness and readiness probes, metrics for Prometheus (config/health.py, metrics.py).
    path("salud/", health.liveness, name="health_live"),
    path("salud/lista/", health.readiness, name="health_ready"),
    path("metricas/", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The login form that tells a locked-out user to wait; the rest is Django's.
    path("cuenta/login/", auth_views.LoginView.as_view(
        authentication_form=LockoutAwareAuthenticationForm), name="login"),
    path("cuenta/", include("django.contrib.auth.urls")),
    path("trabajo/", include("staff.urls")),
    path("importaciones/", include("imports.urls")),
    # Public read-only API (public_site/api.py); the OpenAPI schema is public too, as JSON
    # (a browser shows it), and as a page: Swagger UI from our own static files (the
    # sidecar package, no CDN), its start-up script a file of its own (no inline script).
    path("api/v1/esquema/", SpectacularJSONAPIView.as_view(permission_classes=[AllowAny],
                                                           authentication_classes=[]),
         name="api_schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="api_schema", permission_classes=[AllowAny], authentication_classes=[],
        template_name="public_site/api_docs.html"), name="api_docs"),
    path("api/v1/publico/", include("public_site.api")),
    path("", include("public_site.urls")),
]

# The API answers a URL it does not know in JSON, as it answers everything else.
handler404 = "config.errors.page_not_found"
