from django.urls import path

from registry import views

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
]
