"""A scenario read: today's rows for its effective day, loaded as the live pages load them,
with the scenario's steps laid over them in memory. Live tables are never written.

`World` holds what the diagram, the health analysis and a member's place are computed from:
the members that count on the day, the relationships active on it, the team seats and the
partnerships' names. `World.live(organization, day)` reads it (five queries);
`World.apply(step)` lays one step over it, refusing with ValidationError (keyed by the
form field, as the live services refuse) what the services would refuse.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from org import dates
from org.models import Member, Organization, TeamMembership
from partnerships import graph, rules
from partnerships.diagram.drawing import MAX_NAMES
from partnerships.graph import closing_loop_over_time
from partnerships.health.analysis import Loaded
from partnerships.models import Partnership, Relationship
from partnerships.rules import type_for_quadrants
from scenarios.models import ScenarioStep, StepKind


@dataclass
class Person:
    pk: int
    name: str
    quadrant: str
    kind: str
    title: str
    active: bool  # active on the day (else counted only as an end of a relationship)
    active_from: datetime.date


@dataclass
class Line:
    pk: int  # the live relationship's id; negative for one a step adds
    from_member: int
    to_member: int
    type: str
    partnership: int
    from_quadrant: str
    to_quadrant: str
    carries: str = ""


@dataclass
class World:
    organization: Organization
    day: datetime.date
    members: dict[int, Person]
    lines: dict[int, Line]  # in the order the live rows are read: id order, new ones last
    seats: set[tuple[int, int]]  # (team, person)
    # name, formed on, dissolved on
    partnerships: dict[int, tuple[str, datetime.date, datetime.date | None]]
    added: int = 0
    ended: list[int] = field(default_factory=list)
    # member → the lines they are an end of; built on first use, kept up to date after
    _touching: dict[int, set[int]] | None = field(default=None, repr=False)

    # --- reading -------------------------------------------------------------------------

    @classmethod
    def live(cls, organization: Organization, day: datetime.date) -> World:
        rows = (
            Relationship.objects.for_org(organization)
            .active_on(day)
            .order_by("pk")
            .values_list(
                "pk",
                "from_member_id",
                "to_member_id",
                "type",
                "partnership_id",
                "from_quadrant",
                "to_quadrant",
                "carries",
            )
        )
        lines = {row[0]: Line(*row) for row in rows}
        ends = {line.from_member for line in lines.values()} | {
            line.to_member for line in lines.values()
        }
        members = {}
        for pk, name, quadrant, kind, title, starts, until in (
            Member.objects.for_org(organization)
            .order_by("pk")
            .values_list("pk", "name", "quadrant", "kind", "title", "active_from", "active_until")
        ):
            active = starts <= day and (until is None or until > day)
            if active or pk in ends:
                members[pk] = Person(pk, name, quadrant, kind, title, active, starts)
        seats = set(
            TeamMembership.objects.filter(organization=organization).values_list(
                "team_id", "person_id"
            )
        )
        partnerships = {
            pk: (name, formed, dissolved)
            for pk, name, formed, dissolved in Partnership.objects.for_org(
                organization
            ).values_list("pk", "name", "formed_on", "dissolved_on")
        }
        return cls(organization, day, members, lines, seats, partnerships)

    def copy(self) -> World:
        """A world to lay steps over. The dicts are copied, not the rows: a step that changes
        a member or a line puts a changed copy in its place (never edits one in place)."""
        return dataclasses.replace(
            self,
            members=dict(self.members),
            lines=dict(self.lines),
            seats=set(self.seats),
            ended=list(self.ended),
            _touching=None,
        )

    def touching(self, member: int) -> list[Line]:
        """The member's lines, in the order of `lines`."""
        if self._touching is None:
            self._touching = {}
            for pk, line in self.lines.items():
                self._touching.setdefault(line.from_member, set()).add(pk)
                self._touching.setdefault(line.to_member, set()).add(pk)
        return [self.lines[pk] for pk in sorted(self._touching.get(member, ()), key=_order)]

    def _add_line(self, line: Line) -> None:
        self.lines[line.pk] = line
        if self._touching is not None:
            self._touching.setdefault(line.from_member, set()).add(line.pk)
            self._touching.setdefault(line.to_member, set()).add(line.pk)

    def graph(self):
        """The typed graph alone (graph.build_graph), as `loaded` builds it."""
        return graph.build_graph(
            ((p.pk, p.quadrant) for p in self.members.values()),
            ((line.from_member, line.to_member, line.type) for line in self.lines.values()),
            names={p.pk: p.name for p in self.members.values()},
        )

    def loaded(self) -> Loaded:
        """The scope's graph as partnerships/health/analysis.py `load` builds it."""
        partnerships: dict[int, list[tuple[int, int, str]]] = {}
        for line in self.lines.values():
            partnerships.setdefault(line.partnership, []).append(
                (line.from_member, line.to_member, line.type)
            )
        return Loaded(
            graph=self.graph(),
            relationships=len(self.lines),
            partnerships=partnerships,
            partnership_names={pk: self.partnerships[pk][0] for pk in partnerships},
        )

    def quadrant_counts(self) -> tuple[dict[str, int], dict[str, list[str]]]:
        """As partnerships/diagram/selectors.py quadrant_counts: active members per quadrant
        and the first MAX_NAMES names of each."""
        counts = dict.fromkeys(rules.READING_ORDER, 0)
        names: dict[str, list[tuple[str, int]]] = {q: [] for q in rules.READING_ORDER}
        for person in self.members.values():
            if person.active:
                counts[person.quadrant] += 1
                names[person.quadrant].append((person.name, person.pk))
        return counts, {
            q: [n for n, _pk in sorted(found)[:MAX_NAMES]] for q, found in names.items()
        }

    def flow_counts(self) -> dict[tuple[str, str], int]:
        flows: dict[tuple[str, str], int] = {}
        for line in self.lines.values():
            key = (line.from_quadrant, line.to_quadrant)
            flows[key] = flows.get(key, 0) + 1
        return flows

    def name(self, pk: int | None) -> str:
        person = self.members.get(pk) if pk is not None else None
        return person.name if person else "someone no longer active"

    def line_words(self, line: Line) -> str:
        partnership = self.partnerships.get(line.partnership, ("a partnership",))[0]
        return (
            f"{self.name(line.from_member)} → {self.name(line.to_member)} "
            f"({line.type} in {partnership})"
        )

    # --- laying steps over it --------------------------------------------------------------

    def apply_all(self, steps) -> World:
        for step in steps:
            self.apply(step)
        return self

    def apply(self, step: ScenarioStep) -> list[str]:
        """Lay `step` over the world; what it also does, in words (relationships it ends)."""
        handler = {
            StepKind.MOVE: self._move,
            StepKind.ARCHIVE: self._archive,
            StepKind.ADD_RELATIONSHIP: self._add,
            StepKind.END_RELATIONSHIP: self._end,
            StepKind.SEAT: self._seat,
            StepKind.UNSEAT: self._unseat,
            StepKind.MERGE_TEAMS: self._merge,
        }[StepKind(step.kind)]
        return handler(step)

    def _active(self, pk: int | None, field_name: str) -> Person:
        person = self.members.get(pk) if pk is not None else None
        if person is None or not person.active:
            raise ValidationError(
                {field_name: "That member is not active on the effective day in this scenario."}
            )
        return person

    def _end_lines(self, pks) -> list[str]:
        words = []
        for pk in list(pks):
            line = self.lines.pop(pk)
            words.append(self.line_words(line))
            if self._touching is not None:
                self._touching[line.from_member].discard(pk)
                self._touching[line.to_member].discard(pk)
            self.ended.append(pk)
        return words

    def _move(self, step: ScenarioStep) -> list[str]:
        person = self._active(step.member_id, "member")
        to = step.to_quadrant
        if person.kind == Member.Kind.TEAM:
            raise ValidationError(
                {"to_quadrant": f"{person.name} is a team; teams always sit in the Teams quadrant."}
            )
        if to not in rules.PERSON_QUADRANTS:
            raise ValidationError(
                {"to_quadrant": "Choose Leadership, Managers or Employees for a person."}
            )
        if to == person.quadrant:
            raise ValidationError(
                {
                    "to_quadrant": f"{person.name} is already in "
                    f"{rules.QUADRANT_NAMES[to]} in this scenario."
                }
            )
        broken = []
        for line in self.touching(person.pk):
            from_q = to if line.from_member == person.pk else line.from_quadrant
            to_q = to if line.to_member == person.pk else line.to_quadrant
            if type_for_quadrants(from_q, to_q) != line.type:
                broken.append(line.pk)
        words = self._end_lines(broken)
        self.members[person.pk] = dataclasses.replace(person, quadrant=to)
        for line in self.touching(person.pk):
            self.lines[line.pk] = dataclasses.replace(
                line,
                from_quadrant=to if line.from_member == person.pk else line.from_quadrant,
                to_quadrant=to if line.to_member == person.pk else line.to_quadrant,
            )
        return words

    def _archive(self, step: ScenarioStep) -> list[str]:
        person = self._active(step.member_id, "member")
        if person.kind == Member.Kind.TEAM:
            raise ValidationError({"member": "Only people are archived in a scenario."})
        if self.day <= person.active_from:
            raise ValidationError(
                {
                    "member": f"{person.name} became active on {dates.day(person.active_from)}; "
                    "the scenario's effective date must be after that to archive them."
                }
            )
        words = self._end_lines([line.pk for line in self.touching(person.pk)])
        for seat in [seat for seat in self.seats if seat[1] == person.pk]:
            self.seats.discard(seat)
        del self.members[person.pk]
        return words

    def _add(self, step: ScenarioStep) -> list[str]:
        source = self._active(step.member_id, "from_member")
        target = self._active(step.other_id, "to_member")
        partnership = self.partnerships.get(step.partnership_id)
        if partnership is None:
            raise ValidationError("That partnership is not in this organization.")
        name, formed, dissolved = partnership
        if formed > self.day or (dissolved is not None and dissolved <= self.day):
            raise ValidationError(f"{name} is not active on {dates.day(self.day)}.")
        if source.pk == target.pk:
            raise ValidationError(
                {"to_member": f"{source.name} cannot have a relationship with themselves."}
            )
        kind = type_for_quadrants(source.quadrant, target.quadrant)
        if kind is None:
            raise ValidationError(
                {
                    "to_member": f"{source.name} ({rules.QUADRANT_NAMES[source.quadrant]}) cannot "
                    f"reach {target.name} ({rules.QUADRANT_NAMES[target.quadrant]}): relationships "
                    "run from Leadership towards Employees, never back up or left."
                }
            )
        for line in self.touching(source.pk):
            if (line.partnership, line.from_member, line.to_member) == (
                step.partnership_id,
                source.pk,
                target.pk,
            ):
                raise ValidationError(
                    f"{source.name} and {target.name} already have a relationship in {name}."
                )
        if kind == rules.DIRECT:
            direct = (
                (line.from_member, line.to_member, self.day, None)
                for line in self.lines.values()
                if line.type == rules.DIRECT
            )
            loop = closing_loop_over_time(direct, (source.pk, target.pk, self.day, None))
            if loop is not None:
                names = " → ".join(self.name(pk) for pk in loop[1])
                raise ValidationError(
                    {"to_member": f"This direct line would close a loop: {names}."}
                )
        self.added += 1
        pk = -(step.position or self.added)
        self._add_line(
            Line(
                pk,
                source.pk,
                target.pk,
                kind,
                step.partnership_id,
                source.quadrant,
                target.quadrant,
                step.carries,
            )
        )
        return []

    def _end(self, step: ScenarioStep) -> list[str]:
        if step.relationship_id not in self.lines:
            raise ValidationError(
                "That relationship is not active on the effective day in this scenario."
            )
        self._end_lines([step.relationship_id])
        return []

    def _stewardship(self) -> int | None:
        for pk, (name, formed, dissolved) in sorted(self.partnerships.items()):
            if (
                name == rules.TEAM_STEWARDSHIP
                and formed <= self.day
                and (dissolved is None or dissolved > self.day)
            ):
                return pk
        return None

    def _seat_pair(self, step: ScenarioStep) -> tuple[Person, Person]:
        team = self._active(step.member_id, "team")
        person = self._active(step.other_id, "person")
        if team.kind != Member.Kind.TEAM:
            raise ValidationError({"team": f"{team.name} is a person, not a team."})
        if person.kind == Member.Kind.TEAM:
            raise ValidationError({"person": f"{person.name} is a team; only people sit on teams."})
        return team, person

    def _seat(self, step: ScenarioStep) -> list[str]:
        return self._seat_with_key(step, key=-(step.position or self.added + 1))

    def _seat_with_key(self, step: ScenarioStep, *, key: int) -> list[str]:
        team, person = self._seat_pair(step)
        if (team.pk, person.pk) in self.seats:
            raise ValidationError(
                {"person": f"{person.name} already sits on {team.name} in this scenario."}
            )
        self.seats.add((team.pk, person.pk))
        stewardship = self._stewardship()
        if person.quadrant != rules.EMPLOYEES or stewardship is None:
            return []
        if any(
            (line.partnership, line.from_member, line.to_member)
            == (stewardship, team.pk, person.pk)
            for line in self.touching(team.pk)
        ):
            return []
        self.added += 1
        self._add_line(
            Line(key, team.pk, person.pk, rules.DIRECT, stewardship, team.quadrant, person.quadrant)
        )
        return [f"adds {team.name}'s direct line to {person.name}"]

    def _unseat(self, step: ScenarioStep) -> list[str]:
        team, person = self._seat_pair(step)
        if (team.pk, person.pk) not in self.seats:
            raise ValidationError(
                {"person": f"{person.name} does not sit on {team.name} in this scenario."}
            )
        self.seats.discard((team.pk, person.pk))
        stewardship = self._stewardship()
        return self._end_lines(
            [
                line.pk
                for line in self.touching(team.pk)
                if line.partnership == stewardship
                and (line.from_member, line.to_member) == (team.pk, person.pk)
            ]
        )

    def _merge(self, step: ScenarioStep) -> list[str]:
        """Seat the merged team's people on the other team (with its lines), take them off
        the merged team (ending its lines), then archive the merged team (ending the rest)."""
        merged = self._active(step.member_id, "member")
        into = self._active(step.other_id, "other")
        if merged.kind != Member.Kind.TEAM or into.kind != Member.Kind.TEAM:
            raise ValidationError({"other": "Merge a team into another team."})
        if merged.pk == into.pk:
            raise ValidationError({"other": "Choose another team to merge into."})
        if self.day <= merged.active_from:
            raise ValidationError(
                {
                    "member": f"{merged.name} became active on {dates.day(merged.active_from)}; "
                    "the scenario's effective date must be after that to merge it away."
                }
            )
        words = []
        for team, person in sorted(self.seats):
            if team != merged.pk:
                continue
            self.seats.discard((team, person))
            if (into.pk, person) in self.seats:
                continue
            found = self.members.get(person)
            if found is not None and found.active:
                seat = ScenarioStep(member_id=into.pk, other_id=person)
                self._seat_with_key(seat, key=-(step.position * 100_000 + person))
        words += self._end_lines([line.pk for line in self.touching(merged.pk)])
        del self.members[merged.pk]
        return words


def _order(pk: int) -> tuple[bool, int]:
    """Live lines by id, then those steps added, in the order they were added."""
    return (pk < 0, -pk if pk < 0 else pk)


def edges_by_partnership(world: World) -> dict[int, list[tuple[int, int, str]]]:
    found: dict[int, list[tuple[int, int, str]]] = {}
    for line in world.lines.values():
        found.setdefault(line.partnership, []).append((line.from_member, line.to_member, line.type))
    return found
