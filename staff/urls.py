from django.urls import path

from staff import views

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("revision/", views.review_queue, name="review_queue"),
    path("revision/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("personas/<int:pk>/", views.person_detail, name="person_detail"),
    path("personas/decisiones/<int:pk>/deshacer/", views.merge_decision_undo,
         name="merge_decision_undo"),
    path("registros/<int:pk>/", views.record_detail, name="record_detail"),
    path("registros/<int:pk>/corregir/", views.record_correct, name="record_correct"),
    path("institucion/registros/", views.agency_records, name="agency_records"),
    path("casos/", views.case_list, name="case_list"),
    path("casos/nuevo/", views.case_open, name="case_open"),
    path("casos/<int:pk>/", views.case_workspace, name="case_workspace"),
    path("casos/<int:pk>/situacion/", views.case_status, name="case_status"),
    path("casos/<int:pk>/codigo/", views.case_access_code, name="case_access_code"),
    path("casos/<int:pk>/desbloquear-consulta/", views.case_family_lookup_unlock,
         name="case_family_lookup_unlock"),
    path("casos/<int:pk>/cotejo/", views.case_crosscheck, name="case_crosscheck"),
    path("casos/<int:pk>/publicacion/", views.case_publication, name="case_publication"),
    path("casos/solicitudes/<int:pk>/", views.case_status_request_review,
         name="case_status_request_review"),
    path("alertas/", views.alerts_inbox, name="alerts_inbox"),
    path("alertas/<int:pk>/atender/", views.alert_handle, name="alert_handle"),
    path("exportar/", views.export_form, name="export_form"),
    path("exportar/progreso/", views.export_progress, name="export_progress"),
    path("exportar/archivos/<str:name>", views.export_file_download, name="export_file_download"),
    path("calidad/", views.quality_dashboard, name="quality_dashboard"),
]
