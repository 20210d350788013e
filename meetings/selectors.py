"""Reads for the meetings pages: who belongs to which partnership, my sessions, a session's
log and what happened since the previous session. Each function costs a fixed number of
queries, whatever the size of the organization."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from meetings.models import (
    PROGRESS_RANK,
    ActionItem,
    AgendaItem,
    FeedbackItem,
    ObjectiveProgress,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.planner import PlanPartnership
from meetings.quarters import Quarter
from org.models import QUADRANT_ORDER, Member, Organization, OrgMembership, Quadrant
from partnerships.models import Partnership, Relationship

FACILITATOR_QUADRANTS = (Quadrant.LEADERSHIP, Quadrant.MANAGERS)


def current_quarter(organization: Organization) -> Quarter:
    return Quarter.containing(organization.today(), organization.fiscal_year_start_month)


def quarter_choices(organization: Organization, around: Quarter | None = None) -> list[Quarter]:
    """Four quarters back and four ahead of the current one, for pickers."""
    quarter = around or current_quarter(organization)
    back = quarter
    for _ in range(4):
        back = back.previous()
    choices = [back]
    for _ in range(8):
        choices.append(choices[-1].next())
    return choices


def members_by_partnership(
    organization: Organization,
    partnership_ids: Iterable[int],
    start: datetime.date,
    end: datetime.date | None,
) -> dict[int, list[Member]]:
    """The members of each of the organization's partnerships over [start, end): every end of
    a relationship active on at least one of those days; two queries (the relationships' ends
    as plain ids, then each member once: a member of many partnerships is one object, not one
    per relationship end). Sorted by quadrant, then name."""
    relationships = (
        Relationship.objects.filter(
            organization=organization, partnership_id__in=list(partnership_ids)
        )
        .overlapping(start, end)
        .order_by()
    )
    ids_of: dict[int, set[int]] = defaultdict(set)
    for partnership_id, from_id, to_id in relationships.values_list(
        "partnership_id", "from_member_id", "to_member_id"
    ):
        ids_of[partnership_id].update((from_id, to_id))
    if not ids_of:
        return {}
    # By subquery, not a list of ids: one query however many members (SQLite caps parameters).
    by_id = {
        member.pk: member
        for member in Member.objects.filter(organization=organization).filter(
            Q(pk__in=relationships.values("from_member"))
            | Q(pk__in=relationships.values("to_member"))
        )
    }
    return {
        pid: sorted((by_id[pk] for pk in ids), key=_member_order) for pid, ids in ids_of.items()
    }


class Facilitator(NamedTuple):
    """A leader or manager who may facilitate a session, as the planner's preview names them."""

    pk: int
    name: str
    quadrant: str


class PlanMembers:
    """What the planner needs of the members of many partnerships over [start, end), without
    a model object per member (a large organization has tens of thousands): each
    partnership's member ids, the leaders and managers among them (who may facilitate) as
    members, and everyone's names only when asked (a clash names who blocks). Two queries,
    a third for the names."""

    def __init__(
        self,
        organization: Organization,
        partnership_ids: Iterable[int],
        start: datetime.date,
        end: datetime.date | None,
    ) -> None:
        partnership_ids = list(partnership_ids)
        relationships = (
            Relationship.objects.for_org(organization)
            .filter(partnership_id__in=partnership_ids or [0])  # no partnership: no row
            .overlapping(start, end)
            .order_by()
        )
        # Tens of thousands of rows of three ids: read by the cursor (the ORM's own SQL),
        # which is twice as fast as values_list.
        sql, params = relationships.values_list(
            "partnership_id", "from_member_id", "to_member_id"
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = sorted(cursor.fetchall(), key=itemgetter(0))
        # Each partnership's rows in a run; its ends gathered by set operations, not a loop.
        ends = itemgetter(1, 2)
        self.ids_of = {
            pid: frozenset().union(*map(ends, group))
            for pid, group in itertools.groupby(rows, key=itemgetter(0))
        }
        ids_of = self.ids_of
        self._ends = Q(pk__in=relationships.values("from_member")) | Q(
            pk__in=relationships.values("to_member")
        )
        # The organization's leaders and managers (a few hundred), whether in these
        # partnerships or not: cheaper than finding the ends among all members.
        # (Plain rows, with the name the preview shows: the apply reads its own members.)
        self.facilitators: dict[int, Facilitator] = (
            {
                row[0]: Facilitator(*row)
                for row in Member.objects.for_org(organization)
                .filter(quadrant__in=FACILITATOR_QUADRANTS)
                .exclude(kind=Member.Kind.TEAM)
                .values_list("pk", "name", "quadrant")
            }
            if ids_of
            else {}
        )
        self._facilitator_ids = frozenset(self.facilitators)
        # Each facilitator's place in facilitator_for's order, to take the first by a number.
        ordered = sorted(
            self.facilitators.values(),
            key=lambda f: (QUADRANT_ORDER.index(f.quadrant), f.name, f.pk),
        )
        self._rank = {f.pk: place for place, f in enumerate(ordered)}
        self._by_rank = [f.pk for f in ordered]
        self.names = _NamesOnDemand(self._ends if ids_of else None)

    def plan_partnership(self, partnership: Partnership) -> PlanPartnership:
        """As plan_partnership(partnership, its members), from the ids."""
        ids = self.ids_of.get(partnership.pk, frozenset())
        candidates = ids & self._facilitator_ids
        first = min(map(self._rank.__getitem__, candidates)) if candidates else None
        return PlanPartnership(
            id=partnership.pk,
            name=partnership.name,
            attendee_ids=ids,
            facilitator_id=self._by_rank[first] if first is not None else None,
        )


class _NamesOnDemand(Mapping):
    """Member id -> name, read in one query the first time a name is asked for."""

    def __init__(self, ends: Q | None) -> None:
        self._ends = ends
        self._names: dict[int, str] | None = None

    def _loaded(self) -> dict[int, str]:
        if self._names is None:
            self._names = (
                dict(Member.objects.filter(self._ends).values_list("pk", "name"))
                if self._ends is not None
                else {}
            )
        return self._names

    def __bool__(self) -> bool:  # asking whether there are names must not read them
        return True

    def __getitem__(self, pk: int) -> str:
        return self._loaded()[pk]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def _member_order(member: Member) -> tuple:
    return (member.quadrant_rank, member.name, member.pk)


def facilitator_for(members: Iterable[Member]) -> Member | None:
    """Who facilitates a partnership's session: its first leader, else its first manager."""
    candidates = [m for m in members if m.quadrant in FACILITATOR_QUADRANTS and not m.is_team]
    return min(candidates, key=_member_order, default=None)


def plan_partnership(partnership: Partnership, members: list[Member]) -> PlanPartnership:
    """What the planner needs of a partnership: its members as attendees, and who facilitates."""
    facilitator = facilitator_for(members)
    return PlanPartnership(
        id=partnership.pk,
        name=partnership.name,
        attendee_ids=frozenset(m.pk for m in members),
        facilitator_id=facilitator.pk if facilitator else None,
    )


def facilitator_choices(members: Iterable[Member]) -> list[Member]:
    return [m for m in members if m.quadrant in FACILITATOR_QUADRANTS and not m.is_team]


def partnerships_to_meet(organization: Organization, quarter: Quarter, from_day: datetime.date):
    """Partnerships that should meet in the quarter: active on some day from ``from_day``
    (or the quarter's start, when later) to the quarter's end."""
    first = max(from_day, quarter.start)
    return (
        Partnership.objects.for_org(organization)
        .filter(formed_on__lt=quarter.end)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first))
        .order_by("name", "id")
    )


# --- my sessions -----------------------------------------------------------------------------


@dataclass
class MySessions:
    quarter: Quarter
    due: list[Session] = field(default_factory=list)
    overdue: list[Session] = field(default_factory=list)
    held: list[Session] = field(default_factory=list)
    closed: list[Session] = field(default_factory=list)  # cancelled or missed
    unscheduled: list[Partnership] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.due) + len(self.overdue) + len(self.held) + len(self.closed)


def my_sessions(
    membership: OrgMembership,
    quarter: Quarter,
    *,
    everyone: bool = False,
    now: datetime.datetime | None = None,
) -> MySessions:
    """The quarter's sessions of the partnerships this person belongs to (``everyone``: of the
    whole organization, for leaders and admins), sorted into due, overdue, held and closed,
    plus the partnerships that have no session yet (of those the person belongs to today:
    not those they left). Three queries."""
    now = now or timezone.now()
    organization = membership.organization
    today = now.astimezone(organization.tz).date()
    if everyone and membership.sees_whole_organization:
        sessions = Session.objects.for_org(organization)
        partnerships = Partnership.objects.for_org(organization)
    elif membership.member_id is not None:
        sessions = Session.objects.for_org(organization).of_partnerships_with(membership.member)
        partnerships = Partnership.objects.for_org(organization).with_member_on(
            membership.member, today
        )
    else:
        sessions = Session.objects.none()
        partnerships = Partnership.objects.none()
    sessions = (
        sessions.in_quarter(quarter)
        .select_related("partnership", "facilitator", "organization")
        .order_by("starts_at", "id")
    )
    result = MySessions(quarter)
    for session in sessions:
        if session.status == SessionStatus.HELD:
            result.held.append(session)
        elif session.status in (SessionStatus.CANCELLED, SessionStatus.MISSED):
            result.closed.append(session)
        elif session.is_overdue(now):
            result.overdue.append(session)
        else:
            result.due.append(session)
    result.unscheduled = list(
        partnerships.filter(formed_on__lt=quarter.end)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=max(today, quarter.start)))
        .exclude(sessions__quarter_start=quarter.start)
        .order_by("name", "id")
    )
    return result


# --- one session and its log -----------------------------------------------------------------


def session_queryset(membership: OrgMembership) -> QuerySet[Session]:
    return Session.objects.visible_to(membership).select_related(
        "organization", "partnership__objective", "facilitator", "agenda"
    )


def visible_successes(membership: OrgMembership) -> QuerySet[SessionSuccess]:
    """The successes the person may read, wherever they are shown: the success rule is
    `SessionSuccess.objects.visible_to` (shared with the organization, or of a partnership
    the person belongs or belonged to, for a manager; all for leaders and admins)."""
    return SessionSuccess.objects.visible_to(membership).select_related("shared_by")


def visible_feedback(membership: OrgMembership) -> QuerySet[FeedbackItem]:
    """Feedback the person may read: all of it, except what someone else left for the
    facilitator only (unless the person is that session's facilitator)."""
    rule = Q(for_facilitator_only=False) | Q(author_id=membership.user_id)
    if membership.member_id is not None:
        rule |= Q(session__facilitator_id=membership.member_id)
    return FeedbackItem.objects.filter(organization_id=membership.organization_id).filter(rule)


def with_log(sessions: QuerySet[Session], membership: OrgMembership) -> QuerySet[Session]:
    """Prefetch everything the session page shows: attendees and the four log sections,
    the successes limited to those the person may read. Each names the organization, so that
    on Citus it stays on the organization's node."""
    organization_id = membership.organization_id
    return sessions.prefetch_related(
        Prefetch("attendees", Member.objects.filter(organization_id=organization_id)),
        Prefetch("successes", visible_successes(membership)),
        Prefetch(
            "progress_calls",
            ObjectiveProgress.objects.filter(organization_id=organization_id).select_related(
                "objective"
            ),
        ),
        Prefetch("feedback_items", visible_feedback(membership).select_related("from_member")),
        Prefetch(
            "action_items",
            ActionItem.objects.filter(organization_id=organization_id).select_related("owner"),
        ),
        Prefetch(
            "agenda_items",
            AgendaItem.objects.filter(organization_id=organization_id)
            .select_related("added_by")
            .order_by("id"),
        ),
    )


@dataclass
class ProgressChange:
    objective_title: str
    before: ObjectiveProgress | None
    now: ObjectiveProgress | None

    @property
    def direction(self) -> str:
        if self.before is None or self.now is None:
            return "new" if self.before is None else "not discussed"
        change = PROGRESS_RANK[self.now.call] - PROGRESS_RANK[self.before.call]
        return "better" if change > 0 else "worse" if change < 0 else "same"


@dataclass
class SinceLast:
    previous: Session | None
    action_items: list[ActionItem]  # the previous session's, done or not
    carried: list[ActionItem]  # still open, from sessions before the previous one
    successes: list[SessionSuccess]
    progress: list[ProgressChange]

    @property
    def open_count(self) -> int:
        return sum(1 for item in self.action_items if not item.is_done) + len(self.carried)


def since_last_session(session: Session, membership: OrgMembership) -> SinceLast:
    """The previous session of the same partnership (the latest in an earlier quarter), what
    came of its action items, its successes, and how each objective's call moved, as far as
    the person may read them: the previous sessions they may see, the successes they may
    read. Three queries: the previous session with its log, and the older action items
    still open."""
    visible = Session.objects.visible_to(membership)
    previous = (
        visible.filter(
            partnership_id=session.partnership_id,
            quarter_start__lt=session.quarter_start,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("organization")
        .prefetch_related(
            Prefetch("successes", visible_successes(membership)),
            Prefetch("progress_calls", ObjectiveProgress.objects.select_related("objective")),
            Prefetch("action_items", ActionItem.objects.select_related("owner")),
        )
        .order_by("-quarter_start")
        .first()
    )
    if previous is None:
        return SinceLast(None, [], [], [], _progress_changes([], session.progress_calls.all()))
    carried = list(
        ActionItem.objects.open()
        .filter(
            organization_id=session.organization_id,
            session__in=visible.values("pk"),
            session__partnership_id=session.partnership_id,
            session__quarter_start__lt=previous.quarter_start,
        )
        .select_related("owner", "session__organization")
        .order_by("due_on", "id")
    )
    return SinceLast(
        previous=previous,
        action_items=list(previous.action_items.all()),
        carried=carried,
        successes=list(previous.successes.all()),
        progress=_progress_changes(previous.progress_calls.all(), session.progress_calls.all()),
    )


def _progress_changes(
    before: Iterable[ObjectiveProgress], now: Iterable[ObjectiveProgress]
) -> list[ProgressChange]:
    old = {call.objective_id: call for call in before}
    new = {call.objective_id: call for call in now}
    changes = []
    for objective_id in sorted(old.keys() | new.keys()):
        call = new.get(objective_id) or old[objective_id]
        changes.append(
            ProgressChange(call.objective.title, old.get(objective_id), new.get(objective_id))
        )
    return sorted(changes, key=lambda c: c.objective_title)
