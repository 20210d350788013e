"""The session's agenda: its timed parts, built from the partnership's data.

Four parts, in this order, that add up to the session's length (90 minutes by default):

* successes since the last session: those logged for the partnership since then, and the
  points people added;
* objectives: the progress calls due (every objective called last time, and the partnership's
  own), the action items carried forward (still open), and the health risks that touch this
  partnership;
* feedback: prompts drawn from the weakest pulse dimension of this partnership's quadrant
  pairs, when one is weak (below "often", 4 on the 1-5 scale), else general prompts;
* a short close.

The minutes follow from the data (`allocate`): the close takes its fixed share and the rest is
shared out in 5-minute blocks, every part getting a floor and the remainder going to the parts
with the most to discuss. The facilitator may set the minutes by hand (`SessionAgenda`); those
stand as long as they still add up to the session's length.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Avg, Q

from meetings.models import (
    PULSE_FIELDS,
    PULSE_LABELS,
    ActionItem,
    AgendaItem,
    AgendaPart,
    PulseRating,
    Session,
    SessionAgenda,
    SessionSuccess,
)
from meetings.selectors import SinceLast
from partnerships.models import Relationship

BLOCK = 5  # minutes
WEAK_BELOW = 4.0  # a pulse dimension averaging below "often" is weak
PULSE_LOOKBACK = datetime.timedelta(days=366)
RISKS_SHOWN = 3
SUCCESSES_SHOWN = 8

# What to ask when a pulse dimension is the weakest of the quadrant pair.
PROMPTS: dict[str, tuple[str, ...]] = {
    "frequent": (
        "What did you need to hear from the other side this quarter, and did not?",
        "How often should we talk between sessions, and how?",
    ),
    "timely": (
        "What reached you too late this quarter?",
        "What would you like to know a week earlier than you do now?",
    ),
    "accurate": (
        "What information turned out to be wrong or incomplete?",
        "Where do we check facts before we pass them on?",
    ),
    "problem_solving": (
        "Think of one problem this quarter: did we solve it together or look for whose fault "
        "it was?",
        "What would make it easier to raise a problem early?",
    ),
    "shared_goals": (
        "In one sentence each: what is this partnership for?",
        "Where did our goals pull in different directions?",
    ),
    "shared_knowledge": (
        "What part of your work does the other side not see?",
        "What should each of us explain about our work next session?",
    ),
    "mutual_respect": (
        "When did you feel your work was valued this quarter, and when not?",
        "What would show more respect for each other's work?",
    ),
}
GENERAL_PROMPTS = (
    "What worked well in how we work together this quarter?",
    "What should we change before the next session?",
)
CLOSE_POINTS = (
    "Agree the action items: each with an owner and a date.",
    "One sentence each: what was most useful today?",
)


@dataclass
class Point:
    """One line of a part: what to discuss, and a detail (a date, a call, a name)."""

    text: str
    detail: str = ""


@dataclass
class Part:
    key: str
    title: str
    minutes: int
    points: list[Point] = field(default_factory=list)
    items: list[AgendaItem] = field(default_factory=list)  # added by people

    @property
    def count(self) -> int:
        return len(self.points) + len(self.items)


@dataclass
class Agenda:
    parts: list[Part]
    set_by_hand: bool
    weakest: str | None  # the weakest pulse dimension's label, when one is weak
    agenda: SessionAgenda | None = None
    past: bool = False  # held, missed or cancelled: only what people added

    @property
    def total(self) -> int:
        return sum(part.minutes for part in self.parts)

    def part(self, key: str) -> Part:
        return next(part for part in self.parts if part.key == key)

    def as_text(self) -> str:
        """The agenda in plain text, for the reminder mail and the calendar event."""
        lines = [f"Agenda ({self.total} minutes)"]
        for part in self.parts:
            lines.append(f"{part.minutes} min · {part.title}")
            for point in part.points:
                lines.append(f"  - {point.text}" + (f" ({point.detail})" if point.detail else ""))
            for item in part.items:
                by = f" ({item.added_by.name})" if item.added_by else ""
                lines.append(f"  - {item.text}{by}")
        return "\n".join(lines)


def allocate(duration: int, counts: dict[str, int]) -> dict[str, int]:
    """Minutes for each part, adding up to ``duration``: the close a fixed share (10 minutes
    from an hour on, else 5), each other part a floor of two blocks (one in a short session),
    and the remaining blocks shared in proportion to 1 + what the part holds (largest
    remainder; ties go to the earlier part). Minutes that do not fill a block go to the close."""
    close = 10 if duration >= 60 else 5
    close = min(close, duration)
    rest = duration - close
    blocks, spare = divmod(rest, BLOCK)
    parts = [AgendaPart.SUCCESSES, AgendaPart.OBJECTIVES, AgendaPart.FEEDBACK]
    floor = 2 if blocks >= 3 * 2 + 3 else 1 if blocks >= 3 else 0
    given = dict.fromkeys(parts, floor)
    left = blocks - floor * len(parts)
    weights = {part: 1 + counts.get(part, 0) for part in parts}
    total = sum(weights.values())
    shares = {part: left * weights[part] / total for part in parts}
    for part in parts:
        given[part] += int(shares[part])
    left -= sum(int(shares[part]) for part in parts)
    by_remainder = sorted(parts, key=lambda p: (-(shares[p] - int(shares[p])), parts.index(p)))
    for part in by_remainder[:left]:
        given[part] += 1
    minutes = {part.value: given[part] * BLOCK for part in parts}
    minutes[AgendaPart.CLOSE.value] = close + spare
    return minutes


def weakest_dimension(session: Session) -> str | None:
    """The pulse dimension rated lowest, over the last year, between the quadrants this
    partnership's relationships join (either way round); None without ratings or when even
    the weakest is rated "often" or better. Two queries: the quadrant pairs, then the
    averages (plain equalities: a correlated subquery per rating was five times slower)."""
    pairs = set(
        Relationship.objects.filter(
            organization_id=session.organization_id, partnership_id=session.partnership_id
        )
        .order_by()
        .values_list("from_quadrant", "to_quadrant")
        .distinct()
    )
    if not pairs:
        return None
    touching = Q()
    for a, b in sorted(pairs):
        touching |= Q(rater_quadrant=a, other_quadrant=b) | Q(rater_quadrant=b, other_quadrant=a)
    averages = PulseRating.objects.filter(
        touching,
        organization_id=session.organization_id,
        session__starts_at__gte=session.starts_at - PULSE_LOOKBACK,
        session__starts_at__lte=session.starts_at,
    ).aggregate(**{name: Avg(name) for name in PULSE_FIELDS})
    rated = [(value, PULSE_FIELDS.index(name), name) for name, value in averages.items() if value]
    if not rated:
        return None
    value, _, name = min(rated)
    return name if value < WEAK_BELOW else None


def build(
    session: Session,
    since: SinceLast,
    *,
    successes: Sequence[SessionSuccess] | None,
    items: Iterable[AgendaItem],
    risks: Sequence = (),
    weakest: str | None = None,
    agenda: SessionAgenda | None = None,
) -> Agenda:
    """The agenda from what the caller loaded. ``successes``: those since the last session
    the reader may see (None: only counted, for the mail and the calendar, see `for_text`)."""
    by_part: dict[str, list[AgendaItem]] = {part: [] for part in AgendaPart.values}
    for item in items:
        by_part[item.part].append(item)

    success_points = []
    if successes is not None:
        for success in list(successes)[:SUCCESSES_SHOWN]:
            by = f"{success.shared_by.name}, " if success.shared_by else ""
            success_points.append(Point(success.text, f"{by}{success.happened_on:%-d %b}"))
        more = len(successes) - SUCCESSES_SHOWN
        if more > 0:
            success_points.append(Point(f"and {more} more on the partnership's success log"))
    if not success_points:
        success_points.append(Point("Each attendee: one thing that went well since last time."))

    objective_points = []
    called = {call.objective_id for call in session.progress_calls.all()}
    due = [c for c in since.progress if c.now is None]
    own = session.partnership.objective
    if own.pk not in called and not any(c.objective_title == own.title for c in due):
        objective_points.append(Point(f"Progress call: {own.title}", "not called yet"))
    for change in due:
        last = change.before.get_call_display() if change.before else ""
        objective_points.append(
            Point(f"Progress call: {change.objective_title}", f"last time: {last}" if last else "")
        )
    open_items: list[ActionItem] = [i for i in since.action_items if not i.is_done]
    open_items += list(since.carried)
    for action in open_items:
        due_on = f", due {action.due_on:%-d %b %Y}" if action.due_on else ""
        objective_points.append(
            Point(f"Carried forward: {action.text}", f"{action.owner.name}{due_on}")
        )
    for entry in list(risks)[:RISKS_SHOWN]:
        objective_points.append(Point(f"Health risk: {entry.risk.sentence}", entry.risk.next_step))

    prompts = PROMPTS[weakest] if weakest else GENERAL_PROMPTS
    feedback_points = [Point(prompt) for prompt in prompts]
    close_points = [Point(text) for text in CLOSE_POINTS]

    points = {
        AgendaPart.SUCCESSES: success_points,
        AgendaPart.OBJECTIVES: objective_points,
        AgendaPart.FEEDBACK: feedback_points,
        AgendaPart.CLOSE: close_points,
    }
    counts = {
        AgendaPart.SUCCESSES: len(successes or ()) + len(by_part[AgendaPart.SUCCESSES]),
        AgendaPart.OBJECTIVES: len(objective_points) + len(by_part[AgendaPart.OBJECTIVES]),
        AgendaPart.FEEDBACK: len(by_part[AgendaPart.FEEDBACK]) + (1 if weakest else 0),
    }
    set_by_hand = agenda is not None and sum(agenda.minutes().values()) == session.duration_minutes
    minutes = agenda.minutes() if set_by_hand else allocate(session.duration_minutes, counts)
    parts = [
        Part(
            key=part.value,
            title=part.label,
            minutes=minutes[part.value],
            points=points[part],
            items=by_part[part.value],
        )
        for part in AgendaPart
    ]
    return Agenda(
        parts=parts,
        set_by_hand=set_by_hand,
        weakest=PULSE_LABELS[weakest] if weakest else None,
        agenda=agenda,
    )


def as_it_was(session: Session, *, items: Iterable[AgendaItem]) -> Agenda:
    """A past session's agenda: its parts with their minutes and what people added."""
    by_part: dict[str, list[AgendaItem]] = {part: [] for part in AgendaPart.values}
    for item in items:
        by_part[item.part].append(item)
    stored = stored_agenda(session)
    set_by_hand = stored is not None and sum(stored.minutes().values()) == session.duration_minutes
    minutes = (
        stored.minutes()
        if set_by_hand
        else allocate(session.duration_minutes, {p: len(i) for p, i in by_part.items()})
    )
    parts = [
        Part(key=p.value, title=p.label, minutes=minutes[p.value], items=by_part[p.value])
        for p in AgendaPart
    ]
    return Agenda(parts=parts, set_by_hand=set_by_hand, weakest=None, agenda=stored, past=True)


def successes_since(session: Session, since: SinceLast, visible) -> list[SessionSuccess]:
    """The partnership's successes dated since the last session (since the quarter's start
    before a first session) up to this session's day, except those shared at the last
    session itself, as far as ``visible`` (a SessionSuccess queryset) allows; oldest first."""
    start = since.previous.local_start().date() if since.previous else session.quarter_start
    successes = visible.filter(
        partnership_id=session.partnership_id,
        happened_on__gte=start,
        happened_on__lte=session.local_start().date(),
    ).exclude(session_id=since.previous.pk if since.previous else None)
    return list(successes.select_related("shared_by").order_by("happened_on", "id"))


def agenda_items(session: Session) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(session=session).select_related("added_by").order_by("id")
    )


def stored_agenda(session: Session) -> SessionAgenda | None:
    """The facilitator's minutes, if any (loaded with the session when it was selected with
    ``select_related("agenda")``)."""
    try:
        return session.agenda
    except SessionAgenda.DoesNotExist:
        return None


@dataclass(frozen=True)
class _Everything:
    """Reads for a text that goes to the session's own people (the facilitator's reminder,
    an attendee's calendar): the session's partnership's data, whatever the reader's role.
    Successes are only counted there, never quoted."""

    organization: object
    sees_whole_organization: bool = True
    member_id: None = None


def for_text(session: Session) -> Agenda:
    """The agenda for the reminder mail and the calendar event: successes counted, not quoted
    (who reads them may not read each one), no health risks (they name people)."""
    from meetings.selectors import since_last_session

    since = since_last_session(session, _Everything(session.organization))
    successes = successes_since(
        session, since, SessionSuccess.objects.for_org(session.organization)
    )
    agenda = build(
        session,
        since,
        successes=successes,
        items=agenda_items(session),
        weakest=weakest_dimension(session),
        agenda=stored_agenda(session),
    )
    count = len(successes)
    words = f"{count} success{'es' if count != 1 else ''} logged since the last session"
    agenda.part(AgendaPart.SUCCESSES).points = [
        Point(words if count else "Each attendee: one thing that went well since last time.")
    ]
    return agenda
