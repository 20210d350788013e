"""The 13 actions of the checklist, in our own short words, under their three principles:
1-5 set the example, 6-10 teach others, 11-13 evaluate and adjust."""

from django.db import migrations

ACTIONS = [
    (1, 1, "Build my people skills",
     "Practise listening, team building and empathy in my own work before asking it of anyone."),
    (2, 1, "Strengthen the ties around me",
     "Put each skill I improve to use with the people I already work with every day."),
    (3, 1, "Hold the quarterly sessions",
     "Meet every partnership I belong to for 90 minutes a quarter: wins, objectives, feedback."),
    (4, 1, "Use all three channels",
     "Reach people through direct, influential and guidance relationships in daily work."),
    (5, 1, "Know how I will measure it",
     "Decide which numbers will show whether my efforts move the business objectives."),
    (6, 2, "Coach my managers",
     "Show managers what I changed to improve my own relationship with them."),
    (7, 2, "Train in small doses",
     "Offer short, frequent people-skills training that fits around the work, not over it."),
    (8, 2, "Fold learning into routines",
     "Change the processes we already have to use what we learn, instead of adding new ones."),
    (9, 2, "Pass the example down",
     "Make earning partnerships visible so that managers carry it on to their own people."),
    (10, 2, "Encourage small wins",
     "Help managers find quick wins that bring their people closer to the objectives."),
    (11, 3, "Review the numbers",
     "Check objectives, customer satisfaction and employee satisfaction every quarter."),
    (12, 3, "Train where a channel is weak",
     "Add training for the direct, influential or guidance relationships that lag behind."),
    (13, 3, "Adjust from feedback",
     "Change how we work based on what the sessions and the numbers say."),
]  # fmt: skip


def create_actions(apps, schema_editor):
    Action = apps.get_model("meetings", "Action")
    Action.objects.bulk_create(
        Action(number=number, principle=principle, label=label, explanation=explanation)
        for number, principle, label, explanation in ACTIONS
    )


def remove_actions(apps, schema_editor):
    apps.get_model("meetings", "Action").objects.filter(number__in=range(1, 14)).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_checklists_measurements_pulse_success_log")]

    operations = [migrations.RunPython(create_actions, remove_actions)]
