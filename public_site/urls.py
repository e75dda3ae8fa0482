from django.urls import path

from public_site import opendata, pfif, views

app_name = "public_site"

urlpatterns = [
    path("", views.home, name="home"),
    path("buscar/", views.search, name="search"),
    path("ficha/<public_key:key>/", views.entry, name="entry"),
    path("estadisticas/", views.statistics, name="statistics"),
    path("estadisticas/estadisticas.csv", views.statistics_csv, name="statistics_csv"),
    path("detenciones/", views.detention_lookup, name="detention_lookup"),
    path("familias/", views.family_lookup, name="family_lookup"),
    path("familias/salir/", views.family_logout, name="family_logout"),
    path("familias/avisos/", views.family_subscribe, name="family_subscribe"),
    path("familias/avisos/baja/<str:token>/", views.family_unsubscribe,
         name="family_unsubscribe"),
    path("datos/", opendata.open_data, name="open_data"),
    path("datos/v1/fichas.csv", opendata.open_data_csv, name="open_data_csv"),
    path("datos/v1/fichas.json", opendata.open_data_json, name="open_data_json"),
    path("datos/v1/fichas-pfif-1.4.xml", pfif.open_data_pfif, name="open_data_pfif"),
]
