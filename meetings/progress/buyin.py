"""Buy-in: whether people take part, per member and quarter (issue 21).

For each person and quarter: the held sessions of their partnerships they were invited to
(they belonged to the partnership during the quarter, or attended anyway) and attended,
feedback they gave, action items due that quarter closed on time, the pulse given, and
successes shared (successes of that quarter with them as whose success).

Who sees what (meetings/progress/buyin_views.py):
* a person sees their own;
* a facilitator (of a session of the partnership in the quarter or the one before) sees the
  partnership's members one by one, and a decline over two quarters is flagged to them only;
* leaders and admins see it only summed by partnership and by quadrant, for groups of at
  least k people (Organization.pulse_min_raters), otherwise "fewer than k people".

Everything is read in eight queries for any number of people (`buy_in`).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from meetings.models import (
    ActionItem,
    FeedbackItem,
    PulseGiven,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.progress.selectors import min_raters
from meetings.quarters import Quarter
from org.models import Member, Organization
from partnerships import rules
from partnerships.health.hooks import WeakChannels
from partnerships.models import Partnership, Relationship, RelationshipType


@dataclass
class BuyIn:
    """One person's taking part in one quarter."""

    quarter: Quarter
    invited: int = 0
    attended: int = 0
    feedback: int = 0
    actions_due: int = 0
    actions_on_time: int = 0
    pulse: int = 0
    successes: int = 0

    @property
    def score(self) -> int:
        """Everything they did: attended, feedback, actions on time, pulse, successes."""
        return self.attended + self.feedback + self.actions_on_time + self.pulse + self.successes

    @property
    def missed(self) -> bool:
        """Invited to a held session and attended none."""
        return self.invited > 0 and self.attended == 0


@dataclass
class Person:
    member_id: int
    name: str
    quadrant: str
    quarters: list[BuyIn]  # oldest first

    @property
    def now(self) -> BuyIn:
        return self.quarters[-1]

    @property
    def declining(self) -> bool:
        """Less in each of the last two quarters than in the one before, counting only
        quarters with a held session they were invited to (a quarter whose session is still
        to come, or a partnership that did not meet, says nothing about the person)."""
        counted = [q for q in self.quarters if q.invited > 0]
        if len(counted) < 3:
            return False
        a, b, c = (q.score for q in counted[-3:])
        return a > b > c

    @property
    def quadrant_name(self) -> str:
        return rules.QUADRANT_NAMES.get(self.quadrant, self.quadrant)


def _members_by_quarter(
    organization: Organization, quarters: list[Quarter], partnership_ids: Iterable[int] | None
) -> dict[int, dict[datetime.date, set[int]]]:
    """partnership id -> quarter start -> the members at an end of one of its relationships
    active during the quarter (one query)."""
    first, last = quarters[0], quarters[-1]
    relationships = Relationship.objects.filter(organization=organization).overlapping(
        first.start, last.end
    )
    if partnership_ids is not None:
        relationships = relationships.filter(partnership_id__in=list(partnership_ids))
    result: dict[int, dict[datetime.date, set[int]]] = defaultdict(lambda: defaultdict(set))
    for pid, a, b, starts, ends in relationships.order_by().values_list(
        "partnership_id", "from_member_id", "to_member_id", "starts_on", "ends_on"
    ):
        for q in quarters:
            if starts < q.end and (ends is None or ends > q.start):
                result[pid][q.start].update((a, b))
    return result


def buy_in(
    organization: Organization,
    quarters: list[Quarter],
    *,
    partnership_ids: Iterable[int] | None = None,
    member_ids: Iterable[int] | None = None,
) -> list[Person]:
    """Buy-in over ``quarters`` (oldest first) of the members of the partnerships (all when
    None), or only of ``member_ids``. Eight queries."""
    starts = [q.start for q in quarters]
    by_start = {q.start: q for q in quarters}
    first, last = quarters[0], quarters[-1]
    if partnership_ids is not None:
        partnership_ids = list(partnership_ids)
    members_of = _members_by_quarter(organization, quarters, partnership_ids)
    wanted = set(member_ids) if member_ids is not None else None

    sessions = Session.objects.filter(
        organization=organization, quarter_start__in=starts, status=SessionStatus.HELD
    )
    if partnership_ids is not None:
        sessions = sessions.filter(partnership_id__in=partnership_ids)
    held = list(sessions.order_by().values_list("pk", "partnership_id", "quarter_start"))
    attended_rows = list(
        Session.attendees.through.objects.filter(session_id__in=[pk for pk, *_ in held])
        .order_by()
        .values_list("session_id", "member_id")
    )
    attendees = defaultdict(set)
    for session_id, member_id in attended_rows:
        attendees[session_id].add(member_id)

    numbers: dict[int, dict[datetime.date, BuyIn]] = defaultdict(dict)

    def cell(member_id: int, start: datetime.date) -> BuyIn:
        row = numbers[member_id].get(start)
        if row is None:
            row = numbers[member_id][start] = BuyIn(by_start[start])
        return row

    for session_id, pid, start in held:
        invited = members_of.get(pid, {}).get(start, set()) | attendees[session_id]
        for member_id in invited:
            if wanted is not None and member_id not in wanted:
                continue
            row = cell(member_id, start)
            row.invited += 1
            if member_id in attendees[session_id]:
                row.attended += 1
    people = set(numbers)
    if wanted is not None:
        people |= wanted
    else:
        for by_quarter in members_of.values():
            for ids in by_quarter.values():
                people |= ids
    in_scope = Q(session_id__in=[pk for pk, *_ in held]) if partnership_ids is not None else Q()

    # Feedback given and pulse given: rows per person and quarter, counted in the database.
    for model, person, figure in (
        (FeedbackItem, "from_member_id", "feedback"),
        (PulseGiven, "member_id", "pulse"),
    ):
        for member_id, start, count in (
            model.objects.filter(
                in_scope,
                organization=organization,
                session__quarter_start__in=starts,
                **{f"{person}__in": people},
            )
            .values_list(person, "session__quarter_start")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            found = cell(member_id, start)
            setattr(found, figure, getattr(found, figure) + count)
    actions = ActionItem.objects.filter(
        organization=organization,
        owner_id__in=people,
        due_on__gte=first.start,
        due_on__lt=last.end,
    )
    successes = SessionSuccess.objects.filter(
        organization=organization,
        shared_by_id__in=people,
        happened_on__gte=first.start,
        happened_on__lt=last.end,
    )
    if partnership_ids is not None:
        actions = actions.filter(session__partnership_id__in=partnership_ids)
        successes = successes.filter(partnership_id__in=partnership_ids)
    for owner_id, due_on, done_on in actions.order_by().values_list(
        "owner_id", "due_on", "done_on"
    ):
        start = _start_of(quarters, due_on)
        row = cell(owner_id, start)
        row.actions_due += 1
        if done_on is not None and done_on <= due_on:
            row.actions_on_time += 1
    for member_id, day in successes.order_by().values_list("shared_by_id", "happened_on"):
        cell(member_id, _start_of(quarters, day)).successes += 1

    names = {
        pk: (name, quadrant)
        for pk, name, quadrant in Member.objects.filter(organization=organization, pk__in=people)
        .order_by()
        .values_list("pk", "name", "quadrant")
    }
    result = [
        Person(
            pk,
            names[pk][0],
            names[pk][1],
            [numbers[pk].get(s) or BuyIn(by_start[s]) for s in starts],
        )
        for pk in people
        if pk in names
    ]
    return sorted(result, key=lambda p: (p.name.casefold(), p.member_id))


def _start_of(quarters: list[Quarter], day: datetime.date) -> datetime.date:
    for q in quarters:
        if q.start <= day < q.end:
            return q.start
    raise ValueError(day)


def facilitated(organization: Organization, member: Member, quarters: list[Quarter]):
    """The partnerships the member facilitated a session of in the last two of ``quarters``."""
    starts = [q.start for q in quarters[-2:]]
    return (
        Partnership.objects.for_org(organization)
        .filter(sessions__facilitator=member, sessions__quarter_start__in=starts)
        .distinct()
        .order_by("name", "id")
    )


# --- for leaders: summed by group, above k --------------------------------------------------


@dataclass
class GroupBuyIn:
    """A group's buy-in in one quarter: sums, shown only for at least k people."""

    label: str
    quadrant: str  # "" for a partnership
    k: int
    people: int | None  # None: fewer than k, nothing else kept
    invited: int = 0
    attended: int = 0
    feedback: int = 0
    actions_due: int = 0
    actions_on_time: int = 0
    pulse: int = 0
    successes: int = 0

    @property
    def shown(self) -> bool:
        return self.people is not None

    @property
    def hidden_text(self) -> str:
        return f"fewer than {self.k} people"

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.invited) if self.invited else None


def _sum(label: str, quadrant: str, k: int, rows: list[BuyIn]) -> GroupBuyIn:
    if len(rows) < k:
        return GroupBuyIn(label, quadrant, k, None)
    group = GroupBuyIn(label, quadrant, k, len(rows))
    for row in rows:
        group.invited += row.invited
        group.attended += row.attended
        group.feedback += row.feedback
        group.actions_due += row.actions_due
        group.actions_on_time += row.actions_on_time
        group.pulse += row.pulse
        group.successes += row.successes
    return group


def groups(
    organization: Organization, quarter: Quarter
) -> tuple[list[GroupBuyIn], list[GroupBuyIn]]:
    """The quarter's buy-in summed per partnership and per quadrant (groups of k or more)."""
    k = min_raters(organization)
    quarters = [quarter]
    members_of = _members_by_quarter(organization, quarters, None)
    people = {p.member_id: p for p in buy_in(organization, quarters)}
    names = dict(
        Partnership.objects.for_org(organization)
        .filter(pk__in=list(members_of))
        .values_list("pk", "name")
    )
    by_partnership = [
        _sum(
            names[pid],
            "",
            k,
            [people[m].now for m in by_quarter.get(quarter.start, set()) if m in people],
        )
        for pid, by_quarter in members_of.items()
        if pid in names and by_quarter.get(quarter.start)
    ]
    by_partnership.sort(key=lambda g: g.label.casefold())
    by_quadrant = [
        _sum(
            rules.QUADRANT_NAMES[q],
            q,
            k,
            [p.now for p in people.values() if p.quadrant == q],
        )
        for q in rules.QUADRANTS
    ]
    return by_partnership, by_quadrant


# --- for the health analysis: weak channels ---------------------------------------------------


def weak_channels(organization: Organization, day: datetime.date) -> WeakChannels:
    """Relationships active on ``day`` whose two members were both invited to their
    partnership's held sessions (the relationship ran during the quarter) and attended none,
    in each of the two full quarters before ``day``'s: the channel exists on paper and nobody
    uses it. Counted by partnership, type and quadrant pair, as the health page tells them.
    Three queries, whatever the size (one when no partnership held sessions in both
    quarters). Registered with partnerships.health.hooks (meetings/apps.py), since
    partnerships may not import meetings."""
    try:
        current = Quarter.containing(day, organization.fiscal_year_start_month)
        quarters = [current.previous().previous(), current.previous()]
        quarters[0].start  # noqa: B018 - a day in year 1 has no quarters before it
    except (OverflowError, ValueError):
        return WeakChannels()
    held = Session.objects.filter(
        organization=organization,
        quarter_start__in=[q.start for q in quarters],
        status=SessionStatus.HELD,
    )
    met = defaultdict(set)  # partnership -> the quarters it held a session in
    names: dict[int, str] = {}
    for pid, name, start in held.order_by().values_list(
        "partnership_id", "partnership__name", "quarter_start"
    ):
        met[pid].add(start)
        names[pid] = name
    # Only a partnership that held sessions in both quarters can have weak channels; of its
    # members, whoever attended one of them in either quarter is not missing.
    present: dict[int, set[int]] = {pid: set() for pid, starts in met.items() if len(starts) == 2}
    if not present:
        return WeakChannels()
    for pid, member_id in (
        Session.attendees.through.objects.filter(session__in=held)
        .order_by()
        .values_list("session__partnership_id", "member_id")
    ):
        if pid in present:
            present[pid].add(member_id)
    # Running during both quarters: active on day (after them) and started before the first
    # one ended.
    relationships = (
        Relationship.objects.filter(organization=organization, partnership_id__in=list(present))
        .active_on(day)
        .filter(starts_on__lt=quarters[0].end)
        .order_by()
        .values_list(
            "partnership_id",
            "from_member_id",
            "to_member_id",
            "from_quadrant",
            "to_quadrant",
            "type",
        )
    )
    counts: Counter[tuple[int, str, str, str]] = Counter()
    for pid, a, b, from_q, to_q, kind in relationships:
        there = present[pid]
        if a not in there and b not in there:
            counts[pid, kind, from_q, to_q] += 1
    labels = dict(RelationshipType.choices)
    shown: Counter[tuple[int, str, str, str]] = Counter()
    for (pid, kind, a, b), n in counts.items():
        shown[pid, labels.get(kind, kind), a, b] += n
    return WeakChannels(
        counts=shown,
        names={pid: names[pid] for pid, _kind, _a, _b in counts},
        quarters=[q.label for q in quarters],
    )
