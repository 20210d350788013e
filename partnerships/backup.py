"""The partnerships section of an organization's backup (see org/backup.py)."""

from __future__ import annotations

from org.backup import Section, Table, register
from partnerships.models import Objective, Partnership, Relationship

register(
    Section(
        "partnerships",
        tables=(Table(Objective), Table(Partnership), Table(Relationship)),
    )
)
