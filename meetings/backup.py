"""The meetings section of an organization's backup (see org/backup.py).

Every tenant table of the app, in an order where each foreign key points backwards. The 13
actions are reference rows, not the organization's: checklist items name their action by
number. Checklists and checklist opt-ins belong to a login, so they come back only with the
logins (`import_backup --logins`).

Left out on purpose: CalendarFeed. A feed's token is a secret that lets whoever holds it read
a login's sessions; a restored copy must not answer to the old tokens (and the tokens are
unique, so a copy beside the original could not even hold them). People make a new feed from
their calendar page.
"""

from __future__ import annotations

from meetings.models import (
    Action,
    ActionItem,
    BlackoutDate,
    Checklist,
    ChecklistItem,
    ChecklistOptIn,
    FeedbackItem,
    MeasurementChange,
    ObjectiveMeasurement,
    ObjectiveProgress,
    PulseRating,
    SatisfactionScore,
    SentReminder,
    Session,
    SessionSuccess,
)
from org.backup import Section, Table, register

register(
    Section(
        "meetings",
        tables=(
            Table(Session),
            Table(BlackoutDate),
            Table(SessionSuccess),
            Table(ObjectiveProgress),
            Table(FeedbackItem),
            Table(ActionItem),
            Table(SentReminder),
            Table(ChecklistOptIn),
            Table(Checklist),
            Table(ChecklistItem),
            Table(SatisfactionScore),
            Table(ObjectiveMeasurement),
            Table(PulseRating),
            Table(MeasurementChange),
        ),
        references={Action: "number"},
    )
)
