"""Every success logged at a session so far belongs to the session's partnership and that
partnership's objective, and is dated on the session's day in the organization's time zone."""

import zoneinfo

from django.db import migrations


def fill_in(apps, schema_editor):
    SessionSuccess = apps.get_model("meetings", "SessionSuccess")
    successes = SessionSuccess.objects.filter(partnership__isnull=True).select_related(
        "session__partnership", "session__organization"
    )
    batch = []
    for success in successes.iterator(chunk_size=500):
        session = success.session
        tz = zoneinfo.ZoneInfo(session.organization.time_zone)
        success.partnership_id = session.partnership_id
        success.objective_id = session.partnership.objective_id
        success.happened_on = session.starts_at.astimezone(tz).date()
        batch.append(success)
        if len(batch) == 500:
            SessionSuccess.objects.bulk_update(batch, ["partnership", "objective", "happened_on"])
            batch = []
    SessionSuccess.objects.bulk_update(batch, ["partnership", "objective", "happened_on"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_the_thirteen_actions")]

    operations = [migrations.RunPython(fill_in, migrations.RunPython.noop)]
