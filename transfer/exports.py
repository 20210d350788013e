"""The organization as CSV for spreadsheets: its members, and its relationships.

Every cell is spreadsheet-safe: a value that a spreadsheet would run as a formula (starting
with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe, which
spreadsheets show as text. Each export reads a fixed number of queries, whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import IO

from org.models import Member, Organization, TeamMembership
from org.spreadsheets import csv_writer
from partnerships.models import Relationship
from transfer.imports import CHAIN_OF_COMMAND

MEMBER_COLUMNS = [
    "external_id",
    "name",
    "kind",
    "quadrant",
    "title",
    "email",
    "manager_id",
    "teams",
    "active_from",
    "active_until",
]
RELATIONSHIP_COLUMNS = [
    "partnership",
    "objective",
    "from_external_id",
    "from_name",
    "from_quadrant",
    "to_external_id",
    "to_name",
    "to_quadrant",
    "type",
    "carries",
    "starts_on",
    "ends_on",
]


def write_members_csv(organization: Organization, out: IO[str]) -> None:
    """Every member (archived ones too, with their dates), one row each; a person's manager is
    their manager in the Chain of command today, and teams are joined with "; "."""
    today = organization.today()
    managers = dict(
        Relationship.objects.for_org(organization)
        .filter(partnership__name=CHAIN_OF_COMMAND)
        .active_on(today)
        .values_list("to_member_id", "from_member__external_id")
    )
    teams: dict[int, list[str]] = defaultdict(list)
    for person_id, team in (
        TeamMembership.objects.filter(organization=organization)
        .order_by("team__name")
        .values_list("person_id", "team__name")
    ):
        teams[person_id].append(team)
    write = csv_writer(out)
    write(MEMBER_COLUMNS)
    for member in Member.objects.for_org(organization).in_quadrant_order().iterator():
        write(
            [
                member.external_id,
                member.name,
                member.kind,
                member.quadrant,
                member.title,
                member.email,
                managers.get(member.pk, ""),
                "; ".join(teams.get(member.pk, [])),
                member.active_from.isoformat(),
                member.active_until.isoformat() if member.active_until else "",
            ]
        )


def write_relationships_csv(organization: Organization, out: IO[str]) -> None:
    """Every relationship of every partnership, past ones too, with its dates."""
    write = csv_writer(out)
    write(RELATIONSHIP_COLUMNS)
    rows = (
        Relationship.objects.for_org(organization)
        .order_by("partnership__name", "partnership_id", "starts_on", "id")
        .values_list(
            "partnership__name",
            "partnership__objective__title",
            "from_member__external_id",
            "from_member__name",
            "from_quadrant",
            "to_member__external_id",
            "to_member__name",
            "to_quadrant",
            "type",
            "carries",
            "starts_on",
            "ends_on",
        )
    )
    for row in rows.iterator():
        *head, starts_on, ends_on = row
        write([*head, starts_on.isoformat(), ends_on.isoformat() if ends_on else ""])
