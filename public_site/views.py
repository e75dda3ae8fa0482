from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Render the landing page: what the registry is and where each audience goes."""
    return render(request, "public_site/home.html")
