from django.urls import path, register_converter

from meetings import views


class LogKindConverter:
    regex = "successes|progress|feedback|actions"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LogKindConverter, "logkind")

app_name = "meetings"

urlpatterns = [
    path("", views.my_sessions, name="my_sessions"),
    path("plan/", views.planner, name="planner"),
    path("blackouts/", views.blackout_add, name="blackout_add"),
    path("blackouts/<int:pk>/delete/", views.blackout_delete, name="blackout_delete"),
    path("partnerships/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/details/", views.session_details, name="session_details"),
    path("sessions/<int:pk>/held/", views.session_held, name="session_held"),
    path("sessions/<int:pk>/status/", views.session_status, name="session_status"),
    path("sessions/<int:pk>/session.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/<logkind:kind>/", views.item_add, name="item_add"),
    path("log/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("log/<logkind:kind>/<int:pk>/", views.item_show, name="item"),
    path("log/<logkind:kind>/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
