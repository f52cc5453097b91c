from django.urls import path

from taicho.dossiers import views

app_name = "dossiers"

# Each action posts to its own URL and calls one service (design.md rule 2).
ACTIONS = {
    "start_appraisal": ("tham-dinh", views.act_start_appraisal),
    "appraise_and_submit": ("tham-dinh-va-trinh-ky", views.act_appraise_and_submit),
    "record_checklist": ("kiem-tra-thanh-phan", views.act_record_checklist),
    "request_supplement": ("yeu-cau-bo-sung", views.act_request_supplement),
    "supplement_received": ("nhan-bo-sung", views.act_supplement_received),
    "receive": ("tiep-nhan-sau-huong-dan", views.act_receive_guided),
    "refuse_reception": ("tu-choi-tiep-nhan", views.act_refuse_reception),
    "request_obligation": ("nghia-vu-tai-chinh", views.act_request_obligation),
    "obligation_fulfilled": ("da-thuc-hien-nghia-vu", views.act_obligation_fulfilled),
    "submit_for_approval": ("trinh-ky", views.act_submit_for_approval),
    "refuse": ("tu-choi", views.act_refuse),
    "send_back": ("tra-lai", views.act_send_back),
    "approve": ("ky-duyet", views.act_approve),
    "seal": ("dong-dau", views.act_seal),
    "record_print": ("in-ket-qua", views.act_record_print),
    "record_payment": ("thu-phi", views.act_record_payment),
    "return_result": ("tra-ket-qua", views.act_return_result),
    "rate": ("danh-gia", views.act_rate),
    "apologise": ("xin-loi", views.act_apologise),
    "request_withdrawal": ("rut-ho-so", views.act_request_withdrawal),
    "stop": ("dung-giai-quyet", views.act_stop),
}

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("tiep-nhan/", views.reception, name="reception"),
    path("tiep-nhan/<str:procedure_code>/", views.reception_form, name="reception_form"),
    path("tiep-nhan/<str:procedure_code>/huong-dan/", views.reception_guide, name="reception_guide"),
    path("tiep-nhan/<str:procedure_code>/tu-choi/", views.reception_refuse, name="reception_refuse"),
    path("phe-duyet/", views.approval, name="approval"),
    path("so-theo-doi/", views.logbook, name="logbook"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/thanh-phan/<int:pk>/", views.component_file, name="component_file"),
    path("<str:code>/mau/<int:pk>/", views.paper_file, name="paper_file"),
    path("<str:code>/ket-qua.pdf", views.result_file, name="result_file"),
    path("<str:code>/phieu-kiem-soat.pdf", views.control_slip, name="control_slip"),
    path("<str:code>/du-thao.pdf", views.draft_file, name="draft_file"),
    path("<str:code>/xem-truoc/", views.preview_result, name="preview_result"),
    *(path(f"<str:code>/{slug}/", view, name=f"act_{name}") for name, (slug, view) in ACTIONS.items()),
]
