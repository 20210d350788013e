"""Reads of objectives, partnerships and relationships; every one takes an "as of" day.

Each function starts from the organization (or from a partnership already loaded through
it) and costs a fixed number of queries, however many relationships there are.
"""

from __future__ import annotations

import dataclasses
import datetime
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from org.models import Member, Organization, OrgMembership, Quadrant, QuadrantMove
from partnerships.graph import complete_triads, triad_completions, typed_sides
from partnerships.models import (
    VERBS,
    Objective,
    Partnership,
    Relationship,
    RelationshipType,
    relationship_type_for,
)
from partnerships.rules import CHANNELS, RELATIONSHIP_RULE, article
from partnerships.versions import data_version, kept

STATUS_ACTIVE, STATUS_DISSOLVED, STATUS_ALL = "active", "dissolved", "all"


def _active_relationships(day: datetime.date, prefix: str = "relationships__") -> Q:
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": day})
    )


def _with_type_counts(partnerships: QuerySet, day: datetime.date) -> QuerySet:
    """Annotate n_direct, n_influential, n_guidance: relationships active on the day."""
    active = _active_relationships(day)
    return partnerships.annotate(
        **{
            f"n_{type_}": Count(
                "relationships", filter=active & Q(relationships__type=type_), distinct=True
            )
            for type_ in CHANNELS
        }
    )


# --- objectives ----------------------------------------------------------------------------


def objective_list(membership: OrgMembership, day: datetime.date) -> QuerySet[Objective]:
    """The organization's objectives with how many partnerships serve each on the day,
    counting only the partnerships the viewer may read (the objective's own page lists them)."""
    active = Q(partnerships__formed_on__lte=day) & (
        Q(partnerships__dissolved_on__isnull=True) | Q(partnerships__dissolved_on__gt=day)
    )
    if not membership.sees_whole_organization:
        visible = Partnership.objects.visible_to(membership).values("pk")
        active &= Q(partnerships__in=visible)
    return (
        Objective.objects.filter(organization=membership.organization)
        .select_related("owner")
        .annotate(n_partnerships=Count("partnerships", filter=active))
        .order_by("title", "id")
    )


# --- partnerships --------------------------------------------------------------------------


def partnership_list(
    membership: OrgMembership,
    *,
    day: datetime.date,
    status: str = STATUS_ACTIVE,
    objective: Objective | None = None,
    member: Member | None = None,
    member_query: str = "",
) -> QuerySet[Partnership]:
    """The partnerships the signed-in role may read, filtered, with counts per type.

    `member_query` keeps the partnerships where any member whose name, title or team matches
    the text is an end of a relationship, at any time (Member.objects.search).
    """
    partnerships = Partnership.objects.visible_to(membership).select_related("objective")
    if status == STATUS_ACTIVE:
        partnerships = partnerships.active_on(day)
    elif status == STATUS_DISSOLVED:
        partnerships = partnerships.dissolved_by(day)
    if objective is not None:
        partnerships = partnerships.filter(objective=objective)
    if member is not None:
        partnerships = partnerships.with_member(member)
    if member_query.strip():
        matching = Member.objects.for_org(membership.organization).search(member_query)
        matching = matching.values("pk")
        involving = Q(from_member__in=matching) | Q(to_member__in=matching)
        relationships = Relationship.objects.filter(involving, partnership=OuterRef("pk"))
        partnerships = partnerships.filter(Exists(relationships))
    return _with_type_counts(partnerships, day).order_by("name", "id")


def relationships_as_of(partnership: Partnership, day: datetime.date) -> list[Relationship]:
    return list(
        partnership.relationships.active_on(day)
        .with_members()
        .order_by("from_member__name", "to_member__name", "id")
    )


class RelationshipRow(NamedTuple):
    """What a partnership's page needs of each of its relationships to count, group and page
    them: read as plain rows, since the largest partnerships have thousands. The page's own
    rows are loaded in full afterwards (shown_relationships)."""

    pk: int
    from_member_id: int
    to_member_id: int
    type: str
    from_quadrant: str
    to_quadrant: str


class RelationshipRows(Sequence[RelationshipRow]):
    """RelationshipRows kept as columns (arrays of ids, strings of one-letter quadrants):
    what the cache holds of a partnership's relationships. Read back, it is a few flat
    buffers, not an object per relationship (the largest partnerships have tens of
    thousands); a row is made only when read: a page of a channel, 50 at a time."""

    __slots__ = ("_pk", "_from", "_to", "_types", "_type_of", "_from_q", "_to_q")

    def __init__(self, rows: Iterable[RelationshipRow] = ()) -> None:
        rows = list(rows)
        self._pk = array("q", [r.pk for r in rows])
        self._from = array("q", [r.from_member_id for r in rows])
        self._to = array("q", [r.to_member_id for r in rows])
        self._types = tuple(dict.fromkeys(r.type for r in rows))
        index = {t: i for i, t in enumerate(self._types)}
        self._type_of = bytes(index[r.type] for r in rows)
        # Quadrants are one letter each (org.models.Quadrant).
        self._from_q = "".join(r.from_quadrant for r in rows)
        self._to_q = "".join(r.to_quadrant for r in rows)
        if len(self._from_q) != len(rows) or len(self._to_q) != len(rows):
            raise ValueError("A quadrant is not one letter.")

    def __len__(self) -> int:
        return len(self._pk)

    def _row(self, i: int) -> RelationshipRow:
        return RelationshipRow(
            self._pk[i],
            self._from[i],
            self._to[i],
            self._types[self._type_of[i]],
            self._from_q[i],
            self._to_q[i],
        )

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("RelationshipRows index out of range")
        return self._row(index)

    def __iter__(self):
        return (self._row(i) for i in range(len(self)))

    def __eq__(self, other) -> bool:
        if isinstance(other, RelationshipRows | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"<RelationshipRows: {len(self)}>"

    def involving(self, member_id: int | None) -> list[RelationshipRow]:
        """The rows the member is an end of, found by a scan of the id buffers (no row
        made for the others)."""
        found = set()
        for ids in (self._from, self._to):
            start = 0
            while True:
                try:
                    i = ids.index(member_id, start)
                except (ValueError, TypeError):
                    break
                found.add(i)
                start = i + 1
        return [self._row(i) for i in sorted(found)]


@dataclass
class Channel:
    type: str
    label: str
    relationships: Sequence[RelationshipRow]
    # Where a relationship of this type can run, e.g. "Leadership → Employees".
    runs: list[str] = field(default_factory=list)


@dataclass
class PartnershipMap:
    """A partnership as of a day: its relationships by channel, triads and missing channels."""

    partnership: Partnership
    day: datetime.date
    relationships: Sequence[RelationshipRow]  # ordered by the members' names
    channels: list[Channel]
    members: list[Member]  # those the triads and suggestions shown name
    triads: list[dict]  # the first TRIADS_SHOWN
    completions: list[dict]  # the first TRIADS_SHOWN
    triad_count: int = 0
    completion_count: int = 0

    @property
    def present(self) -> list[Channel]:
        return [c for c in self.channels if c.relationships]

    @property
    def missing(self) -> list[Channel]:
        return [c for c in self.channels if not c.relationships]


def _runs(type_: str) -> list[str]:
    return [
        f"{Quadrant(a).label} → {Quadrant(b).label}"
        for (a, b), t in RELATIONSHIP_RULE.items()
        if t == type_ and a != b
    ]


TRIADS_SHOWN = 20  # triads and suggestions listed on a partnership's page; counts cover all


def partnership_map(partnership: Partnership, day: datetime.date) -> PartnershipMap:
    """The partnership's map on a day, kept in Django's cache under the organization's data
    version (partnerships/versions.py): one query when cached, three when not (the
    relationships as plain rows ordered by their members' names, the members the triads and
    suggestions shown name)."""
    version = data_version(Organization(pk=partnership.organization_id))
    key = (
        f"partnership-map:{_MAP_FORMAT}:{partnership.pk}:{day.isoformat()}:{version}"
        if version is not None
        else None
    )
    found = kept(key, lambda: _partnership_map(partnership, day))
    return dataclasses.replace(found, partnership=partnership)


_MAP_FORMAT = 2  # bump when what PartnershipMap holds changes (2: RelationshipRows)


def _partnership_map(partnership: Partnership, day: datetime.date) -> PartnershipMap:
    """Two queries, whatever the size: the relationships active on the day as plain rows,
    ordered by their members' names, then the members the triads and suggestions shown name."""
    relationships = [
        RelationshipRow(*row)
        for row in partnership.relationships.active_on(day)
        .order_by("from_member__name", "to_member__name", "id")
        .values_list("pk", "from_member_id", "to_member_id", "type", "from_quadrant", "to_quadrant")
    ]
    quadrant_of: dict[int, str] = {}
    for r in relationships:
        quadrant_of[r.from_member_id] = r.from_quadrant
        quadrant_of[r.to_member_id] = r.to_quadrant
    edges = [(r.from_member_id, r.to_member_id, r.type) for r in relationships]
    sides = typed_sides(edges)
    all_triads = complete_triads(edges, sides=sides)
    all_completions = triad_completions(edges, quadrant_of, relationship_type_for, sides=sides)
    shown_triads, shown_completions = all_triads[:TRIADS_SHOWN], all_completions[:TRIADS_SHOWN]
    named = {pk for t in shown_triads for pk in t["members"]} | {
        pk for c in shown_completions for pk in (c["from"], c["to"], *c["members"])
    }
    members = Member.objects.in_bulk(named) if named else {}
    triads = [
        {
            "members": [members[pk] for pk in t["members"]],
            "relationships": [
                {"from": members[u], "to": members[v], "type": type_, "verb": VERBS[type_]}
                for u, v, type_ in t["relationships"]
            ],
        }
        for t in shown_triads
    ]
    completions = [
        {
            "from": members[c["from"]],
            "to": members[c["to"]],
            "type": c["type"],
            "label": RelationshipType(c["type"]).label,
            "article": article(c["type"]),
            "verb": VERBS[c["type"]],
            "members": [members[pk] for pk in c["members"]],
        }
        for c in shown_completions
    ]
    by_type: dict[str, list[RelationshipRow]] = defaultdict(list)
    for r in relationships:
        by_type[r.type].append(r)
    channels = [
        Channel(
            type_, RelationshipType(type_).label, RelationshipRows(by_type[type_]), _runs(type_)
        )
        for type_ in CHANNELS
    ]
    ordered_members = sorted(members.values(), key=lambda m: (m.quadrant_rank, m.name, m.pk))
    return PartnershipMap(
        partnership=partnership,
        day=day,
        relationships=RelationshipRows(relationships),
        channels=channels,
        members=ordered_members,
        triads=triads,
        completions=completions,
        triad_count=len(all_triads),
        completion_count=len(all_completions),
    )


class ShownRelationship(NamedTuple):
    """What a channel's table shows of one relationship."""

    pk: int
    from_member_id: int
    to_member_id: int
    from_quadrant: str
    to_quadrant: str
    carries: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    from_name: str
    to_name: str


def shown_relationships(
    partnership: Partnership, rows: Sequence[RelationshipRow]
) -> list[ShownRelationship]:
    """What the channels' tables show of these rows, in the rows' order (one query, plain
    rows: a page of the channels shows 150)."""
    if not rows:
        return []
    found = {
        values[0]: ShownRelationship(*values)
        for values in partnership.relationships.filter(pk__in=[r.pk for r in rows])
        .order_by()
        .values_list(
            "pk",
            "from_member_id",
            "to_member_id",
            "from_quadrant",
            "to_quadrant",
            "carries",
            "starts_on",
            "ends_on",
            "from_member__name",
            "to_member__name",
        )
    }
    return [found[r.pk] for r in rows if r.pk in found]


# --- a member's partnerships ---------------------------------------------------------------


@dataclass
class MemberPartnership:
    """One partnership a member belongs to on a day, and who reaches them by which channel."""

    partnership: Partnership
    reached_by: list[Relationship]  # relationships into the member, by channel
    reaches: list[Relationship]  # relationships out of the member

    @property
    def channels(self) -> list[str]:
        types = {r.type for r in self.reached_by}
        return [RelationshipType(t).label for t in CHANNELS if t in types]


def member_partnerships(
    member: Member, viewer: OrgMembership, day: datetime.date
) -> list[MemberPartnership]:
    """The partnerships (that the viewer may read) in which the member has an active
    relationship on the day; one query."""
    visible = Partnership.objects.visible_to(viewer)
    relationships = (
        Relationship.objects.filter(organization=viewer.organization, partnership__in=visible)
        .involving(member)
        .active_on(day)
        .select_related("partnership__objective", "from_member", "to_member")
        .order_by("partnership__name", "partnership_id", "type", "id")
    )
    entries: dict[int, MemberPartnership] = {}
    for r in relationships:
        entry = entries.setdefault(r.partnership_id, MemberPartnership(r.partnership, [], []))
        (entry.reached_by if r.to_member_id == member.pk else entry.reaches).append(r)
    for entry in entries.values():
        entry.reached_by.sort(key=lambda r: (CHANNELS.index(r.type), r.from_member.name))
        entry.reaches.sort(key=lambda r: (CHANNELS.index(r.type), r.to_member.name))
    return list(entries.values())


# --- what changed between two days ---------------------------------------------------------

CHANGES_LIMIT = 200  # rows listed per kind of change; the counts cover them all


@dataclass
class Changes:
    since: datetime.date
    until: datetime.date
    relationships_formed: list[Relationship]
    relationships_ended: list[Relationship]
    partnerships_formed: list[Partnership]
    partnerships_dissolved: list[Partnership]
    moves: list[QuadrantMove]
    counts: dict[str, int]
    per_type: list[dict]


def changes_between(
    organization: Organization, since: datetime.date, until: datetime.date
) -> Changes:
    """What happened after `since` up to and including `until`.

    A relationship "formed" is active on `until` or later but started after `since`; one
    "ended" was active after `since` and is no longer active on or before `until`.
    """
    relationships = Relationship.objects.filter(organization=organization).with_members()
    formed = Q(starts_on__gt=since, starts_on__lte=until)
    ended = Q(ends_on__gt=since, ends_on__lte=until)
    partnerships = Partnership.objects.filter(organization=organization).select_related("objective")
    counts = Relationship.objects.filter(organization=organization).aggregate(
        **{f"formed_{t}": Count("pk", filter=formed & Q(type=t)) for t in CHANNELS},
        **{f"ended_{t}": Count("pk", filter=ended & Q(type=t)) for t in CHANNELS},
    )
    partnership_counts = Partnership.objects.filter(organization=organization).aggregate(
        partnerships_formed=Count("pk", filter=Q(formed_on__gt=since, formed_on__lte=until)),
        partnerships_dissolved=Count(
            "pk", filter=Q(dissolved_on__gt=since, dissolved_on__lte=until)
        ),
    )
    moves = QuadrantMove.objects.filter(
        organization=organization, moved_on__gt=since, moved_on__lte=until
    ).select_related("member")
    counts.update(partnership_counts)
    counts["moves"] = moves.count()
    counts["relationships_formed"] = sum(counts[f"formed_{t}"] for t in CHANNELS)
    counts["relationships_ended"] = sum(counts[f"ended_{t}"] for t in CHANNELS)
    per_type = [
        {
            "type": t,
            "label": RelationshipType(t).label,
            "formed": counts[f"formed_{t}"],
            "ended": counts[f"ended_{t}"],
        }
        for t in CHANNELS
    ]
    limit = CHANGES_LIMIT
    return Changes(
        since=since,
        until=until,
        relationships_formed=list(
            relationships.filter(formed)
            .select_related("partnership")
            .order_by("starts_on", "id")[:limit]
        ),
        relationships_ended=list(
            relationships.filter(ended)
            .select_related("partnership")
            .order_by("ends_on", "id")[:limit]
        ),
        partnerships_formed=list(
            partnerships.filter(formed_on__gt=since, formed_on__lte=until).order_by("formed_on")[
                :limit
            ]
        ),
        partnerships_dissolved=list(
            partnerships.filter(dissolved_on__gt=since, dissolved_on__lte=until).order_by(
                "dissolved_on"
            )[:limit]
        ),
        moves=list(moves.order_by("moved_on", "id")[:limit]),
        counts=counts,
        per_type=per_type,
    )
