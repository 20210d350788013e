"""The leader's dashboard: its numbers agree with counts computed here, straight from the
sessions, checklists, measurements, pulse ratings and successes of four quarters; its query
count is the same for a small and a large organization; who may see it."""

from __future__ import annotations

import datetime
import random
import statistics
from decimal import Decimal

import pytest

from meetings.models import (
    PULSE_FIELDS,
    ActionState,
    ChecklistItem,
    ObjectiveMeasurement,
    PulseRating,
    SatisfactionScore,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.progress.services import checklist_ensure
from meetings.quarters import Quarter
from org.models import Quadrant, Role
from tests.factories import (
    ObjectiveFactory,
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
    SuccessFactory,
    TeamFactory,
)

UTC = datetime.UTC
TODAY = datetime.date(2026, 2, 16)  # frozen_now
TREND = [Quarter(2025, 2), Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1)]
BEFORE = Quarter(2025, 1)  # outside the trend: must not count
FORMED = [
    datetime.date(2024, 6, 1),
    datetime.date(2025, 4, 1),
    datetime.date(2025, 5, 15),
    datetime.date(2025, 8, 20),
    datetime.date(2025, 11, 1),
    datetime.date(2026, 1, 20),
]
PRINCIPLE_OF = {n: 1 if n <= 5 else 2 if n <= 10 else 3 for n in range(1, 14)}


def grow(org, leader_membership, rng: random.Random, *, partnerships: int) -> None:
    """Random history over BEFORE and the four trend quarters."""
    lee = leader_membership.member
    people = {
        "L": [lee, PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP)],
        "M": [PersonFactory(organization=org, quadrant=Quadrant.MANAGERS) for _ in range(2)],
        "T": [TeamFactory(organization=org)],
        "E": [PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES) for _ in range(2)],
    }
    pairs = [("L", "M"), ("M", "E"), ("L", "T"), ("L", "E"), ("M", "T"), ("T", "E"), ("M", "M")]
    for _ in range(partnerships):
        formed = rng.choice(FORMED)
        dissolved = rng.choice([None, None, formed + datetime.timedelta(days=rng.randint(40, 400))])
        partnership = PartnershipFactory(
            organization=org,
            objective=ObjectiveFactory(organization=org),
            formed_on=formed,
            dissolved_on=dissolved,
        )
        relationships = []
        for from_q, to_q in rng.sample(pairs, 3):
            a, b = (
                rng.sample(people[from_q], 2)
                if from_q == to_q
                else (
                    rng.choice(people[from_q]),
                    rng.choice(people[to_q]),
                )
            )
            relationships.append(
                RelationshipFactory(partnership=partnership, from_member=a, to_member=b)
            )
        for quarter in [BEFORE, *TREND]:
            due = formed < quarter.end and (dissolved is None or dissolved > quarter.start)
            if not due or rng.random() < 0.25:
                continue
            status = rng.choice(
                [
                    SessionStatus.HELD,
                    SessionStatus.HELD,
                    SessionStatus.PLANNED,
                    SessionStatus.MISSED,
                ]
            )
            start = datetime.datetime.combine(
                quarter.start + datetime.timedelta(days=rng.randint(0, 80)),
                datetime.time(10),
                tzinfo=UTC,
            )
            ends = [r.from_member for r in relationships] + [r.to_member for r in relationships]
            session = SessionFactory(
                partnership=partnership,
                facilitator=lee,
                starts_at=start,
                status=status,
                attendees=list(set(ends)),
            )
            if status == SessionStatus.HELD:
                for relationship in relationships:
                    for rater, rq, oq in (
                        (
                            relationship.from_member,
                            relationship.from_quadrant,
                            relationship.to_quadrant,
                        ),
                        (
                            relationship.to_member,
                            relationship.to_quadrant,
                            relationship.from_quadrant,
                        ),
                    ):
                        if rng.random() < 0.5:
                            continue
                        PulseRating.objects.create(
                            organization=org,
                            session=session,
                            relationship=relationship,
                            rater=rater,
                            rater_quadrant=rq,
                            other_quadrant=oq,
                            **{name: rng.randint(1, 5) for name in PULSE_FIELDS},
                        )
        for _ in range(3):
            SuccessFactory(
                session=None,
                partnership=partnership,
                happened_on=datetime.date(2025, 1, 1)
                + datetime.timedelta(days=rng.randint(0, (TODAY - datetime.date(2025, 1, 1)).days)),
                shared_with_organization=rng.random() < 0.4,
            )
        objective = partnership.objective
        if rng.random() < 0.7:
            objective.target_value = Decimal(rng.randint(10, 200))
            objective.target_unit = "units"
            objective.save()
            for quarter in [BEFORE, *TREND]:
                if rng.random() < 0.6:
                    ObjectiveMeasurement.objects.create(
                        organization=org,
                        objective=objective,
                        quarter_start=quarter.start,
                        value=Decimal(rng.randint(0, 250)),
                        unit="units",
                    )


def keep_checklists(membership, rng: random.Random) -> None:
    for quarter in [BEFORE, *TREND]:
        checklist = checklist_ensure(membership=membership, quarter=quarter)
        items = list(checklist.items.all())
        for item in items:
            item.state = rng.choice(ActionState.values)
        ChecklistItem.objects.bulk_update(items, ["state"])


def scores(org) -> None:
    for quarter, kind, value in [
        (BEFORE, "customer", "10"),
        (TREND[0], "customer", "61.5"),
        (TREND[2], "customer", "70"),
        (TREND[3], "customer", "74.5"),
        (TREND[1], "employee", "55"),
        (TREND[3], "employee", "58.5"),
    ]:
        SatisfactionScore.objects.create(
            organization=org, kind=kind, quarter_start=quarter.start, value=Decimal(value)
        )


@pytest.fixture
def history(org, other_org, leader_membership, frozen_now):
    rng = random.Random(7)
    grow(org, leader_membership, rng, partnerships=12)
    keep_checklists(leader_membership, rng)
    another_leader = OrgMembershipFactory(
        organization=org,
        role=Role.LEADER,
        member=PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP),
    )
    keep_checklists(another_leader, rng)
    scores(org)
    # Another organization's rows must never count.
    other_leader = OrgMembershipFactory(
        organization=other_org,
        role=Role.LEADER,
        member=PersonFactory(organization=other_org, quadrant=Quadrant.LEADERSHIP),
    )
    grow(other_org, other_leader, rng, partnerships=3)
    scores(other_org)
    return rng


def expected_numbers(org, membership):
    """The dashboard's numbers for each trend quarter, counted from the rows themselves."""
    partnerships = list(org.partnerships.all())
    result = []
    for quarter in TREND:
        due = [
            p
            for p in partnerships
            if p.formed_on < quarter.end
            and (p.dissolved_on is None or p.dissolved_on > quarter.start)
        ]
        held = Session.objects.filter(
            organization=org, quarter_start=quarter.start, status=SessionStatus.HELD
        ).count()
        items = ChecklistItem.objects.filter(
            checklist__membership=membership, checklist__quarter_start=quarter.start
        ).select_related("action")
        done = dict.fromkeys((1, 2, 3), 0)
        in_progress = dict.fromkeys((1, 2, 3), 0)
        for item in items:
            if item.state == "done":
                done[PRINCIPLE_OF[item.action.number]] += 1
            elif item.state == "in_progress":
                in_progress[PRINCIPLE_OF[item.action.number]] += 1
        successes = [
            s
            for s in SessionSuccess.objects.filter(organization=org)
            if quarter.start <= s.happened_on < quarter.end
        ]
        score = {
            s.kind: s.value
            for s in SatisfactionScore.objects.filter(organization=org, quarter_start=quarter.start)
        }
        cells: dict[tuple[str, str], list[int]] = {}
        raters: dict[tuple[str, str], set[int]] = {}
        for rating in PulseRating.objects.filter(
            organization=org, session__quarter_start=quarter.start
        ):
            key = (rating.rater_quadrant, rating.other_quadrant)
            cells.setdefault(key, []).extend(getattr(rating, name) for name in PULSE_FIELDS)
            raters.setdefault(key, set()).add(rating.rater_id)
        gaps = {
            p.pk
            for p in due
            if quarter.end <= TODAY
            and p.formed_on <= quarter.start
            and (p.dissolved_on is None or p.dissolved_on >= quarter.end)
            and not Session.objects.filter(
                partnership=p, quarter_start=quarter.start, status=SessionStatus.HELD
            ).exists()
        }
        result.append(
            {
                "due": len(due),
                "held": held,
                "done": done,
                "in_progress": in_progress,
                "successes": len(successes),
                "shared": sum(1 for s in successes if s.shared_with_organization),
                "customer": score.get("customer"),
                "employee": score.get("employee"),
                "pulse": {key: statistics.mean(values) for key, values in cells.items()},
                "pulse_raters": {key: len(ids) for key, ids in raters.items()},
                "gaps": gaps,
            }
        )
    return result


K = 3  # the history's pairs have a few raters each: the fewest an organization may set


def test_the_dashboard_numbers_match_the_rows_across_four_quarters(
    org, history, leader_client, leader_membership
):
    org.pulse_min_raters = K
    org.save(update_fields=["pulse_min_raters"])
    response = leader_client.get("/meetings/progress/?quarter=2026Q1")
    assert response.status_code == 200
    board = response.context["board"]
    assert [q.label for q in board.quarters] == [
        "FY2025 Q2",
        "FY2025 Q3",
        "FY2025 Q4",
        "FY2026 Q1",
    ]
    expected = expected_numbers(org, leader_membership)
    # The data really spans the quarters: something happens in each.
    assert all(e["due"] and e["successes"] and e["pulse"] for e in expected)
    for numbers, want in zip(board.numbers, expected, strict=True):
        label = numbers.quarter.label
        assert (numbers.due, numbers.held) == (want["due"], want["held"]), label
        assert {p.principle: p.done for p in numbers.checklist} == want["done"], label
        assert {p.principle: p.in_progress for p in numbers.checklist} == want["in_progress"]
        assert (numbers.successes, numbers.shared) == (want["successes"], want["shared"]), label
        assert (numbers.customer, numbers.employee) == (want["customer"], want["employee"])
        assert set(numbers.pulse) == set(want["pulse"]), label
        for key, mean in want["pulse"].items():
            cell = numbers.pulse[key]
            if want["pulse_raters"][key] >= K:  # shown: the average of everyone's answers
                assert cell.overall == pytest.approx(mean, abs=0.006), (label, key)
                assert cell.count == want["pulse_raters"][key]
            else:  # fewer than k distinct raters: neither average nor count is kept
                assert (cell.overall, cell.communication, cell.count) == (None, None, None)
                assert cell.hidden_text == f"fewer than {K} answers"
    # Two people at most per quadrant here, so every pair stays hidden; the shown averages
    # are checked against the answers in tests/progress/test_anonymity.py.
    assert all(not c.shown for n in board.numbers for c in n.pulse.values())
    gaps = {}
    for line in board.sessions:
        for quarter in line.gap_quarters:
            gaps.setdefault(quarter, set()).add(line.partnership_id)
    for quarter, want in zip(TREND, expected, strict=True):
        assert gaps.get(quarter, set()) == want["gaps"], quarter.label

    # The page prints the same numbers.
    page = response.content.decode()
    now = expected[-1]
    assert (
        f"<strong>{now['held']}</strong> of <strong>{now['due']}</strong> partnerships held" in page
    )
    assert f"<strong>{now['successes']}</strong> successes logged in FY2026 Q1" in page
    flat = page.replace("\n", "").replace("  ", "")
    assert '<th scope="row">Due</th>' + "".join(f"<td>{e['due']}</td>" for e in expected) in flat
    assert '<th scope="row">Held</th>' + "".join(f"<td>{e['held']}</td>" for e in expected) in flat
    assert (
        '<th scope="row">Customer satisfaction</th><td>61.5</td><td>–</td><td>70</td><td>74.5</td>'
        in flat
    )


def test_an_earlier_quarter_moves_the_window(org, history, leader_client, leader_membership):
    response = leader_client.get("/meetings/progress/?quarter=2025Q4")
    board = response.context["board"]
    assert [q.label for q in board.quarters] == [
        "FY2025 Q1",
        "FY2025 Q2",
        "FY2025 Q3",
        "FY2025 Q4",
    ]
    assert board.numbers[0].customer == Decimal("10")


# Session, user and memberships (3), the progress version (1); when not cached, the
# dashboard's seven queries (partnerships with their sessions, checklist, successes, scores,
# objectives with their measurements, the pulse, the session ratings per partnership and
# overall, one UNION ALL).
CACHED = 4
NOT_CACHED = CACHED + 7


def test_the_dashboard_costs_the_same_queries_small_and_large(
    org, leader_client, leader_membership, django_assert_num_queries, frozen_now
):
    rng = random.Random(3)
    grow(org, leader_membership, rng, partnerships=2)
    keep_checklists(leader_membership, rng)
    with django_assert_num_queries(NOT_CACHED):
        small = leader_client.get("/meetings/progress/")
    grow(org, leader_membership, rng, partnerships=25)
    scores(org)
    with django_assert_num_queries(NOT_CACHED):  # the new data made a new version
        large = leader_client.get("/meetings/progress/")
    with django_assert_num_queries(CACHED):
        again = leader_client.get("/meetings/progress/")
    assert small.status_code == large.status_code == again.status_code == 200
    assert len(large.context["board"].sessions) > len(small.context["board"].sessions)
    assert again.context["board"] == large.context["board"]


def test_an_admin_sees_the_organization_without_a_checklist(admin_client, frozen_now):
    page = admin_client.get("/meetings/progress/").content.decode()
    assert "as an admin you have none" in page
    assert "Integrated into what already happens" in page


@pytest.mark.parametrize("role", ["manager", "member"])
def test_managers_and_members_do_not_see_the_dashboard(role, role_clients, frozen_now):
    assert role_clients[role].get("/meetings/progress/").status_code == 403


def test_the_dashboard_shows_only_its_own_organization(history, outsider_client, org):
    response = outsider_client.get("/meetings/progress/?quarter=2026Q1")
    assert response.status_code == 200
    names = {line.name for line in response.context["board"].sessions}
    assert names.isdisjoint(set(org.partnerships.values_list("name", flat=True)))


def test_an_invalid_quarter_is_400(leader_client, frozen_now):
    assert leader_client.get("/meetings/progress/?quarter=2031Q9").status_code == 400


def test_the_cached_dashboard_follows_every_change(
    org, leader_client, leader_membership, frozen_now
):
    """Cached under the progress version: a bulk change to sessions, a ticked action or a
    new score shows on the next visit, as the database triggers see every write."""
    rng = random.Random(5)
    grow(org, leader_membership, rng, partnerships=4)
    keep_checklists(leader_membership, rng)

    def board():
        return leader_client.get("/meetings/progress/").context["board"]

    before = board()
    assert board() == before  # cached, and the same
    Session.objects.filter(organization=org).update(status=SessionStatus.HELD)
    held = board()
    assert held.now.held == held.now.due > before.now.held
    ChecklistItem.objects.filter(organization=org).update(state=ActionState.DONE)
    ticked = board()
    assert ticked.now.checklist_done > held.now.checklist_done
    scores(org)
    assert before.now.customer is None
    assert board().now.customer is not None


def test_an_organization_without_partnerships_is_not_counted_as_zero_of_zero(
    leader_client, frozen_now
):
    page = leader_client.get("/meetings/progress/").content.decode()

    assert "0</strong> of <strong>0</strong> partnerships" not in page
    assert "No partnership is due a session in" in page


def test_the_rows_write_numbers_as_the_floatformat_filter_does():
    """The objectives' and the pulse's rows format their numbers without the filter's
    per-number lookups of the language's format (views._FloatFormat): the same text."""
    from django.template.defaultfilters import floatformat

    from meetings.progress.views import _FloatFormat

    rng = random.Random(11)
    values = [None, "", "abc", 0, -0.0, 0.0, 5, -3, 2.25, -2.25, 0.05, -0.05, 1e-7, 12345678.9]
    values += [Decimal("80.00"), Decimal("-0.00"), Decimal("0.005"), Decimal("-1.005")]
    values += [Decimal("1E+2"), Decimal("123456789012.34"), Decimal("NaN"), float("inf")]
    values += [
        Decimal(rng.randint(-100_000, 100_000)).scaleb(-rng.randint(0, 3)) for _ in range(300)
    ]
    values += [round(rng.uniform(-5, 5), rng.randint(0, 4)) for _ in range(300)]
    values += [rng.randint(1, 5) * n / d for n in range(1, 8) for d in (3, 4, 6, 7)]
    formatted = _FloatFormat()
    for value in values:
        for places in (-2, -1, 0, 1, 2):
            assert formatted(value, places) == floatformat(value, places), (value, places)


# What the template wrote of "was it worth the time" before the rows were written in Python.
WORTH_TEMPLATE = """
<tr><th scope="row">All partnerships</th>{% for n in board.numbers %}<td>{% if n.worth is None %}<span class="muted">—</span>{% elif n.worth.shown %}{{ n.worth.average|floatformat:1 }} <span class="muted">({{ n.worth.raters }})</span>{% else %}<span class="muted">{{ n.worth.hidden_text|capfirst }}</span>{% endif %}</td>{% endfor %}</tr>
{% for line in board.worth %}
<tr><th scope="row"><bdi>{{ line.name }}</bdi></th>{% for cell in line.cells %}<td>{% if cell is None %}<span class="muted">—</span>{% elif cell.shown %}{{ cell.average|floatformat:1 }} <span class="muted">({{ cell.raters }})</span>{% else %}<span class="muted">{{ cell.hidden_text|capfirst }}</span>{% endif %}</td>{% endfor %}</tr>
{% endfor %}
"""  # noqa: E501


def test_the_worth_rows_are_what_the_template_wrote():
    """The rows of "was it worth the time" (views._worth_rows), against the template's markup
    they replace, for groups shown, hidden and missing, and names that need escaping."""
    import re

    from django.template import Context, Template

    from meetings.progress import selectors
    from meetings.progress.views import _worth_rows

    rng = random.Random(13)

    def group(k):
        if rng.random() < 0.2:
            return None
        return selectors.RatingGroup.of(
            k, rng.randint(0, 12), rng.choice([None, rng.uniform(1, 5)])
        )

    for k in (3, 5):
        numbers = [selectors.QuarterNumbers(q, worth=group(k)) for q in TREND]
        names = ["Quality first", "O'Neil & <Sons>", 'The "best" team', "Ünïcode → ok"]
        lines = [
            selectors.WorthLine(i, names[i % len(names)], [group(k) for _ in TREND])
            for i in range(40)
        ]
        board = selectors.Dashboard(TREND[-1], TREND, numbers, [], [], True, k=k, worth=lines)
        old = Template(WORTH_TEMPLATE).render(Context({"board": board}))

        def flat(html):
            return re.sub(r">\s+<", "><", html).strip()

        assert flat(_worth_rows(board)) == flat(old)
        assert "&lt;Sons&gt;" in old and "&#x27;" in old
