"""Reads for the meetings pages: who belongs to which partnership, my sessions, a session's
log and what happened since the previous session. Each function costs a fixed number of
queries, whatever the size of the organization."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
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
from partnerships.versions import (
    PROGRESS,
    SESSION_LOG,
    STRUCTURE,
    data_version,
    data_versions,
    kept,
)

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
    members, and everyone's names only when asked (a clash names who blocks).

    The ids and the facilitators are read for the whole organization and kept in Django's
    cache under its structure version (members, partnerships and relationships are all it
    reads): one query for the version when cached, three when not (the version, the
    relationships' ends, the leaders and managers); a fourth for the names."""

    def __init__(
        self,
        organization: Organization,
        partnership_ids: Iterable[int],
        start: datetime.date,
        end: datetime.date | None,
    ) -> None:
        wanted = set(partnership_ids)
        version = data_version(organization)
        key = None
        if version is not None:
            key = f"{_PLAN_MEMBERS_FORMAT}:org-{organization.pk}:{version}:{start}:{end}"
        everyone = kept(key, lambda: _plan_members(organization, start, end))
        self.ids_of = {pid: ids for pid, ids in everyone.ids_of.items() if pid in wanted}
        ids_of = self.ids_of
        self.facilitators: dict[int, Facilitator] = everyone.facilitators if ids_of else {}
        self._facilitator_ids = frozenset(self.facilitators)
        self._rank = everyone.rank
        self._by_rank = everyone.by_rank
        self.names = _NamesOnDemand(organization if ids_of else None)

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


# Bump when the shape of what is cached changes, so old entries are never read back.
_PLAN_MEMBERS_FORMAT = "plan-members-1"


@dataclass(frozen=True)
class _Everyone:
    """Every partnership's member ids over a stretch of days, and the organization's
    leaders and managers in facilitator_for's order (rank: each one's place in it)."""

    ids_of: dict[int, frozenset[int]]
    facilitators: dict[int, Facilitator]
    rank: dict[int, int]
    by_rank: list[int]


def _plan_members(
    organization: Organization, start: datetime.date, end: datetime.date | None
) -> _Everyone:
    """Two queries: the ends of every relationship of the organization active on a day of
    [start, end), and its leaders and managers (a few hundred)."""
    relationships = Relationship.objects.for_org(organization).overlapping(start, end).order_by()
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
    ids_of = {
        pid: frozenset().union(*map(ends, group))
        for pid, group in itertools.groupby(rows, key=itemgetter(0))
    }
    # Plain rows, with the name the preview shows: the apply reads its own members.
    facilitators = (
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
    ordered = sorted(
        facilitators.values(), key=lambda f: (QUADRANT_ORDER.index(f.quadrant), f.name, f.pk)
    )
    return _Everyone(
        ids_of=ids_of,
        facilitators=facilitators,
        rank={f.pk: place for place, f in enumerate(ordered)},
        by_rank=[f.pk for f in ordered],
    )


class _NamesOnDemand(Mapping):
    """Member id -> name, the organization's members read in one query the first time a name
    is asked for (a clash names who blocks). All of them: finding the partnerships' ends
    first (two IN subqueries joined by OR) took minutes at 100,000 members; the plain read
    of every name takes a fraction of a second."""

    def __init__(self, organization: Organization | None) -> None:
        self._organization = organization
        self._names: dict[int, str] | None = None

    def _loaded(self) -> dict[int, str]:
        if self._names is None:
            self._names = (
                # In no order (the members' default is by name): a look-up, not a list.
                dict(
                    Member.objects.for_org(self._organization).order_by().values_list("pk", "name")
                )
                if self._organization is not None
                else {}
            )
        return self._names

    def __bool__(self) -> bool:  # asking whether there are names must not read them
        return True

    def __getitem__(self, pk: int) -> str:
        return self._loaded()[pk]

    def get(self, pk: int, default: str | None = None) -> str | None:
        """The dict's own get: Mapping.get goes through __getitem__ and a KeyError, and a
        plan that cannot place hundreds of partnerships asks for tens of thousands of names."""
        return self._loaded().get(pk, default)

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


def log_lookups(membership: OrgMembership, *, in_partnership: bool = False) -> list:
    """What the session page shows of a session, but for its action items
    (`session_log_and_since` loads those with the older ones still open): attendees and the
    log's other sections, the successes and feedback limited to those the person may read,
    and the agenda's items. Each names the organization, so that on Citus it stays on the
    organization's node. ``in_partnership``: the sessions are of one partnership the person
    is or was in (`session_page_sessions`), where a manager reads every success."""
    organization_id = membership.organization_id
    if in_partnership and (membership.sees_whole_organization or membership.is_manager):
        successes = SessionSuccess.objects.filter(organization_id=organization_id)
        successes = successes.select_related("shared_by")
    else:
        successes = visible_successes(membership)
    return [
        Prefetch("attendees", Member.objects.filter(organization_id=organization_id)),
        Prefetch("successes", successes),
        Prefetch(
            "progress_calls",
            ObjectiveProgress.objects.filter(organization_id=organization_id).select_related(
                "objective"
            ),
        ),
        Prefetch("feedback_items", visible_feedback(membership).select_related("from_member")),
        Prefetch(
            "agenda_items",
            AgendaItem.objects.filter(organization_id=organization_id)
            .select_related("added_by")
            .order_by("id"),
        ),
    ]


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


@dataclass
class SessionPage:
    """What a session's page shows of the data: the session (with ``logs``: may the person
    log it), the previous one, and the log with what came since (`session_log_and_since`)."""

    session: Session
    previous: Session | None
    log: SessionLog
    agenda: object = None  # what the caller's ``agenda`` made of them

    def sessions(self) -> list[Session]:
        """Every session the page holds: its own, the previous one, and those of the action
        items (the older ones still open name theirs)."""
        since = self.log.since
        items = [*self.log.entries["action_items"], *since.action_items, *since.carried]
        held = [self.session, self.previous, *(item.session for item in items)]
        return list({id(s): s for s in held if s is not None}.values())


def session_page(
    membership: OrgMembership, pk: int, *, agenda: Callable | None = None
) -> SessionPage | None:
    """The session page's data for the person, or None when they may not see the session.

    Kept in the cache under the organization's structure, progress and session-log versions
    (read in one query), the person's login, role and member, and the organization's today:
    whatever changes what the person may see or what the page shows moves one of them
    (partnerships/versions.py). The page asked again costs that one query instead of eight
    (issue 20); the forms are made per request, outside. ``agenda(session, membership,
    since)``: the session's agenda, kept with the rest (it reads only what the three versions
    cover)."""
    organization = membership.organization
    versions = data_versions(organization, STRUCTURE, PROGRESS, SESSION_LOG)
    key = None
    if versions is not None:
        key = (
            f"session-page:{organization.pk}:{pk}:{membership.pk}:{membership.role}:"
            f"{membership.member_id}:{organization.today().isoformat()}:{versions}"
        )
    # False, not None, stands for "may not see it", so that a 404 is kept too
    page = kept(key, lambda: _session_page(membership, pk, agenda) or False)
    if not page:
        return None
    # the organization as this request loaded it (its settings may have changed since)
    for session in page.sessions():
        session.organization = organization
    return page


def _session_page(
    membership: OrgMembership, pk: int, agenda: Callable | None
) -> SessionPage | None:
    sessions = session_page_sessions(membership, pk)
    if not sessions:
        return None
    session = sessions[0]
    previous = sessions[1] if len(sessions) > 1 else None
    log = session_log_and_since(session, membership, previous=previous)
    made = agenda(session, membership, log.since) if agenda is not None else None
    return SessionPage(session, previous, log, made)


def session_page_sessions(membership: OrgMembership, pk: int) -> list[Session]:
    """For the session page: the session ``pk`` the person may see and the one before it
    (`previous_session`), or nothing when the person may not see it. Two flat queries: the
    session with, as annotations, ``logs`` (may the person log it: the `writable_by` rule)
    and ``in_partnership`` (the person reads every session of its partnership: a leader or
    admin, or someone who is or was an end of one of its relationships, as `visible_to`
    says); then the previous session, found by the partnership alone when the person is in
    it. The visibility subqueries written once for any session cost more in Django's query
    building than the page's SQL (issue 20)."""
    organization = membership.organization
    member_id = membership.member_id
    sessions = Session.objects.filter(organization_id=organization.pk, pk=pk).select_related(
        "partnership__objective", "facilitator", "agenda"
    )
    if membership.sees_whole_organization:
        sessions = sessions.annotate(
            in_partnership=Value(True), attends=Value(True), logs=Value(True)
        )
    elif member_id is None:
        return []
    else:
        ends = Relationship.objects.filter(
            Q(from_member_id=member_id) | Q(to_member_id=member_id),
            organization_id=organization.pk,
            partnership_id=OuterRef("partnership_id"),
        )
        attends = Session.attendees.through.objects.filter(
            session_id=OuterRef("pk"), member_id=member_id
        )
        sessions = sessions.annotate(
            in_partnership=Exists(ends),
            attends=Exists(attends),
            logs=Exists(ends.active_on(organization.today()))
            if membership.is_manager
            else Value(False),
        )
    session = next(iter(sessions), None)
    if session is None:
        return []
    involved = session.attends or session.facilitator_id == member_id
    if not (session.in_partnership or involved):
        return []
    session.organization = organization
    earlier = Session.objects.filter(
        organization_id=organization.pk,
        partnership_id=session.partnership_id,
        quarter_start__lt=session.quarter_start,
    ).exclude(status=SessionStatus.CANCELLED)
    if not session.in_partnership:
        earlier = earlier.involving(membership.member)
    previous = earlier.order_by("-quarter_start").first()
    if previous is None:
        return [session]
    previous.organization = organization
    previous.partnership = session.partnership
    previous.in_partnership = session.in_partnership
    previous.logs = session.logs
    return [session, previous]


def _earlier_visible(membership: OrgMembership, *, partnership_id, quarter_start) -> QuerySet:
    """The partnership's sessions the person may see in quarters before ``quarter_start``,
    cancelled ones left out."""
    return (
        Session.objects.visible_to(membership)
        .filter(partnership_id=partnership_id, quarter_start__lt=quarter_start)
        .exclude(status=SessionStatus.CANCELLED)
    )


def previous_session(session: Session, membership: OrgMembership) -> Session | None:
    """The previous session of the same partnership the person may see: the latest in an
    earlier quarter that was not cancelled."""
    return (
        _earlier_visible(
            membership,
            partnership_id=session.partnership_id,
            quarter_start=session.quarter_start,
        )
        .select_related("organization")
        .order_by("-quarter_start")
        .first()
    )


def since_last_session(session: Session, membership: OrgMembership) -> SinceLast:
    """The previous session of the same partnership (the latest in an earlier quarter), what
    came of its action items, its successes, and how each objective's call moved, as far as
    the person may read them: the previous sessions they may see, the successes they may
    read. Four queries: the previous session, its successes and progress calls, and the
    action items, its own with the older ones still open."""
    previous = previous_session(session, membership)
    if previous is None:
        return _since(session, None, [], [])
    prefetch_related_objects(
        [previous],
        Prefetch("successes", visible_successes(membership)),
        Prefetch("progress_calls", ObjectiveProgress.objects.select_related("objective")),
    )
    _, theirs, carried = _action_items(session, previous, membership)
    return _since(session, previous, theirs, carried)


@dataclass
class SessionLog:
    """The session page's log: each section's entries by the session's related name
    (``successes``, ``action_items``, ...), and what came since the last session."""

    entries: dict[str, list]
    since: SinceLast


def session_log_and_since(
    session: Session, membership: OrgMembership, *, previous: Session | None | bool = False
) -> SessionLog:
    """For the session page: the session's log and what came since the last session, the two
    sessions' logs loaded together, one query a kind for both, and the action items of both
    with the older ones still open in one (issue 20: six round trips fewer than each on its
    own). ``previous``: the previous session (or None) when the caller loaded it already
    (`session_page_sessions`)."""
    if previous is False:
        previous = previous_session(session, membership)
    in_partnership = getattr(session, "in_partnership", False)
    both = [session] if previous is None else [session, previous]
    prefetch_related_objects(both, *log_lookups(membership, in_partnership=in_partnership))
    mine, theirs, carried = _action_items(
        session, previous, membership, with_own=True, in_partnership=in_partnership
    )
    entries = {
        name: list(getattr(session, name).all())
        for name in ("successes", "progress_calls", "feedback_items")
    }
    entries["action_items"] = mine
    return SessionLog(entries, _since(session, previous, theirs, carried))


def _action_items(
    session: Session,
    previous: Session | None,
    membership: OrgMembership,
    *,
    with_own: bool = False,
    in_partnership: bool = False,
) -> tuple[list[ActionItem], list[ActionItem], list[ActionItem]]:
    """In one query: the session's action items (``with_own``), the previous session's, and
    those still open from the partnership's sessions before it that the person may see (all
    of them when the person is ``in_partnership``). The first two in the order they were
    logged, the last by due date."""
    rule = Q(pk__in=[])
    if with_own:
        rule |= Q(session_id=session.pk)
    if previous is not None:
        older = Q(
            done_on__isnull=True,
            session__partnership_id=session.partnership_id,
            session__quarter_start__lt=previous.quarter_start,
        )
        if not in_partnership:
            older &= Q(session__in=Session.objects.visible_to(membership).values("pk"))
        rule |= Q(session_id=previous.pk) | older
    mine, theirs, carried = [], [], []
    for item in (
        ActionItem.objects.filter(organization_id=session.organization_id)
        .filter(rule)
        .select_related("owner", "session__organization")
        .order_by("due_on", "id")
    ):
        if item.session_id == session.pk:
            mine.append(item)
        elif previous is not None and item.session_id == previous.pk:
            theirs.append(item)
        else:
            carried.append(item)
    as_logged = attrgetter("created_at", "id")
    return sorted(mine, key=as_logged), sorted(theirs, key=as_logged), carried


def _since(
    session: Session,
    previous: Session | None,
    action_items: list[ActionItem],
    carried: list[ActionItem],
) -> SinceLast:
    """`SinceLast` from the previous session with its successes and progress calls loaded."""
    if previous is None:
        return SinceLast(None, [], [], [], _progress_changes([], session.progress_calls.all()))
    return SinceLast(
        previous=previous,
        action_items=action_items,
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
