from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class PublicSiteConfig(AppConfig):
    name = "public_site"
    verbose_name = _("Sitio público")

    def ready(self) -> None:
        from public_site.converters import PublicKeyConverter

        # "<public_key:key>" in the page and API URLs (registered once, before the URLconf).
        register_converter(PublicKeyConverter, "public_key")
