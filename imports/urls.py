from django.urls import path, re_path

from imports import api, views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("nueva/", views.batch_upload, name="batch_upload"),
    path("correspondencias/", views.mapping_list, name="mapping_list"),
    path("lote/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("lote/<int:pk>/progreso/", views.batch_progress, name="batch_progress"),
    path("lote/<int:pk>/confirmar/", views.batch_commit, name="batch_commit"),
    path("lote/<int:pk>/vincular/", views.batch_relink, name="batch_relink"),
    path("lote/<int:pk>/revertir/", views.batch_rollback, name="batch_rollback"),
    path("lote/<int:pk>/codigos-de-sexo/", views.batch_sex_codes, name="batch_sex_codes"),
    path("lote/<int:pk>/columnas/", views.batch_mapping, name="batch_mapping"),
    re_path(r"^plantilla/(?P<kind>[a-z_]+)(?P<part>|-diccionario)\.(?P<extension>csv|xlsx)$",
            views.import_template, name="import_template"),
    re_path(r"^lote/(?P<pk>[0-9]+)/(?P<what>errores|rechazadas)\.(?P<extension>csv|xlsx)$",
            views.batch_report, name="batch_report"),
    path("api/lotes/", api.BatchCreateView.as_view(), name="api_batch_create"),
]
