from django.urls import path, register_converter

from meetings import views
from meetings.contributions import CONTRIBUTION_BY_SLUG, ContributionKind
from meetings.log_kinds import BY_SLUG, LogKind
from meetings.progress import buyin_views, pulse_views
from meetings.progress import views as progress_views


class LogKindConverter:
    """A kind of session-log entry by its slug: the view gets the LogKind itself."""

    regex = "|".join(BY_SLUG)

    def to_python(self, value: str) -> LogKind:
        return BY_SLUG[value]

    def to_url(self, value: LogKind | str) -> str:
        return value.slug if isinstance(value, LogKind) else value


register_converter(LogKindConverter, "logkind")


class ContributionConverter:
    """What a person adds to a session themselves, by its slug (meetings/contributions.py)."""

    regex = "|".join(CONTRIBUTION_BY_SLUG)

    def to_python(self, value: str) -> ContributionKind:
        return CONTRIBUTION_BY_SLUG[value]

    def to_url(self, value: ContributionKind | str) -> str:
        return value.slug if isinstance(value, ContributionKind) else value


register_converter(ContributionConverter, "contribution")

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
    path("sessions/<int:pk>/agenda/", views.session_agenda, name="session_agenda"),
    path("sessions/<int:pk>/add/<contribution:kind>/", views.contribute, name="contribute"),
    path(
        "contributions/<contribution:kind>/<int:pk>/edit/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "contributions/<contribution:kind>/<int:pk>/delete/",
        views.contribution_remove,
        name="contribution_remove",
    ),
    path("log/actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("log/<logkind:kind>/<int:pk>/", views.item_show, name="item"),
    path("log/<logkind:kind>/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("log/<logkind:kind>/<int:pk>/delete/", views.item_remove, name="item_remove"),
    path("log/restore/<int:entry_pk>/", views.item_restore, name="item_restore"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]


# --- the leader's progress: checklist, measurements, pulse, success log, dashboard -----------


class QuarterKeyConverter:
    regex = r"\d{4}Q[1-4]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(QuarterKeyConverter, "quarterkey")

urlpatterns += [
    path("progress/", progress_views.dashboard, name="dashboard"),
    path("checklist/", progress_views.checklist, name="checklist"),
    path("checklist/opt-in/", progress_views.checklist_opt_in, name="checklist_opt_in"),
    path(
        "checklist/<quarterkey:quarter_key>/<int:number>/state/",
        progress_views.checklist_state,
        name="checklist_state",
    ),
    path(
        "checklist/<quarterkey:quarter_key>/<int:number>/note/",
        progress_views.checklist_note,
        name="checklist_note",
    ),
    path("measurements/", progress_views.measurements, name="measurements"),
    path(
        "measurements/<quarterkey:quarter_key>/scores/<str:kind>/",
        progress_views.score_set,
        name="score_set",
    ),
    path(
        "measurements/<quarterkey:quarter_key>/objectives/<int:pk>/",
        progress_views.objective_value_set,
        name="objective_value_set",
    ),
    path("sessions/<int:pk>/pulse/", pulse_views.session_pulse, name="session_pulse"),
    path("pulse/<str:token>/", pulse_views.pulse_by_link, name="pulse_by_link"),
    path("buy-in/", buyin_views.buy_in_page, name="buy_in"),
    path("successes/", progress_views.success_feed, name="success_feed"),
    path("successes/new/", progress_views.success_new, name="success_new"),
    path("successes/<int:pk>/share/", progress_views.success_share, name="success_share"),
    path(
        "partnerships/<int:pk>/successes/",
        progress_views.partnership_successes,
        name="partnership_successes",
    ),
    path("export/measurements.csv", progress_views.export_measurements, name="export_measurements"),
    path("export/pulse.csv", pulse_views.export_pulse, name="export_pulse"),
    path("export/successes.csv", progress_views.export_successes, name="export_successes"),
]
