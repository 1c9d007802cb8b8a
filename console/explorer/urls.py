from django.urls import path

from console.explorer import views

app_name = "explorer"

urlpatterns = [
    path("", views.explorer_index, name="index"),
    path("specs/<int:spec_id>/", views.explorer_spec, name="spec"),
    path("versions/<int:version_id>/groups/<int:number>/", views.operation_group, name="group"),
    path("operations/<int:operation_id>/", views.operation_page, name="operation"),
    path("operations/<int:operation_id>/send/", views.operation_send, name="send"),
]
