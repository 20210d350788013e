# Written by hand: the session page is cached under a version of its own (issue 20).

from django.db import migrations

from partnerships.versions import trigger_operations

# The tables the session page reads, in the domain its cache is keyed by (the versions
# module's WATCHED names the same).
SESSION_LOG = {
    "session_log": (
        "meetings_session",
        "meetings_sessionsuccess",
        "meetings_objectiveprogress",
        "meetings_feedbackitem",
        "meetings_actionitem",
        "meetings_agendaitem",
        "meetings_sessionagenda",
    )
}
install_triggers, remove_triggers = trigger_operations(SESSION_LOG)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0010_pulse_link_mails"),
        ("partnerships", "0008_health_snapshot_weak_channels"),
    ]

    operations = [migrations.RunPython(install_triggers, remove_triggers, elidable=False)]
