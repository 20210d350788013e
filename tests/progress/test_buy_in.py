"""Buy-in, per member and quarter: the figures agree with counts made here straight from the
rows; a person sees their own, the facilitator the partnership's members with a decline over
two quarters flagged (to them only), leaders and admins only sums of k people or more. The
health page shows a channel whose members missed two quarters running as weak."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from meetings.models import (
    ActionItem,
    FeedbackItem,
    PulseGiven,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.progress import buyin
from meetings.quarters import Quarter
from org.models import Role
from partnerships.health import hooks
from tests.factories import (
    ActionItemFactory,
    OrgMembershipFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
    SuccessFactory,
)

UTC = datetime.UTC
QUARTERS = [Quarter(2025, 3), Quarter(2025, 4), Quarter(2026, 1)]
STARTS = {
    Quarter(2025, 3): datetime.datetime(2025, 8, 12, 9, tzinfo=UTC),
    Quarter(2025, 4): datetime.datetime(2025, 11, 12, 9, tzinfo=UTC),
    Quarter(2026, 1): datetime.datetime(2026, 2, 12, 9, tzinfo=UTC),
}


@pytest.fixture
def history(org, triad, leader_membership, manager_membership, member_membership, frozen_now):
    """Three held sessions of the triad, facilitated by Lee. Max attends all three and closes
    his actions on time. Mia gives less each quarter: everything in the first, attends only
    in the second, stays away in the third."""
    lee, max_, mia = (m.member for m in (leader_membership, manager_membership, member_membership))
    sessions = []
    for quarter, attendees in zip(
        QUARTERS, [[lee, max_, mia], [lee, max_, mia], [lee, max_]], strict=True
    ):
        sessions.append(
            SessionFactory(
                partnership=triad,
                facilitator=lee,
                starts_at=STARTS[quarter],
                status=SessionStatus.HELD,
                attendees=attendees,
            )
        )
    first, second, third = sessions
    FeedbackItem.objects.create(organization=org, session=first, text="More time", from_member=mia)
    PulseGiven.objects.create(organization=org, session=first, member=mia, via="login")
    SuccessFactory(session=first, shared_by=mia, happened_on=datetime.date(2025, 8, 12))
    for session in sessions:
        PulseGiven.objects.create(organization=org, session=session, member=max_, via="link")
        day = session.starts_at.date()
        ActionItemFactory(
            session=session,
            owner=max_,
            due_on=day + datetime.timedelta(days=14),
            done_on=day + datetime.timedelta(days=10),
        )
    ActionItemFactory(  # done, but late
        session=third,
        owner=mia,
        due_on=datetime.date(2026, 2, 14),
        done_on=datetime.date(2026, 3, 1),
    )
    return {"lee": lee, "max": max_, "mia": mia, "sessions": sessions}


def counted_here(member, quarter: Quarter) -> dict:
    """The same figures, counted row by row without the selector's grouping."""
    in_q = [
        s
        for s in Session.objects.filter(status=SessionStatus.HELD)
        if quarter.start <= s.quarter_start < quarter.end
    ]
    invited = [
        s
        for s in in_q
        if s.partnership.relationships.filter(from_member=member).exists()
        or s.partnership.relationships.filter(to_member=member).exists()
        or member in s.attendees.all()
    ]
    actions = [
        a
        for a in ActionItem.objects.filter(owner=member)
        if a.due_on and quarter.start <= a.due_on < quarter.end
    ]
    return {
        "invited": len(invited),
        "attended": sum(1 for s in invited if member in s.attendees.all()),
        "feedback": sum(
            1 for f in FeedbackItem.objects.filter(from_member=member) if f.session in in_q
        ),
        "actions_due": len(actions),
        "actions_on_time": sum(1 for a in actions if a.done_on and a.done_on <= a.due_on),
        "pulse": sum(1 for p in PulseGiven.objects.filter(member=member) if p.session in in_q),
        "successes": sum(
            1
            for s in SessionSuccess.objects.filter(shared_by=member)
            if quarter.start <= s.happened_on < quarter.end
        ),
    }


def test_the_figures_match_counts_made_from_the_rows(
    org, triad, history, django_assert_num_queries
):
    with django_assert_num_queries(8):
        people = buyin.buy_in(org, QUARTERS, partnership_ids=[triad.pk])
    assert [p.name for p in people] == ["Lee Leader", "Max Manager", "Mia Member"]
    for person in people:
        member = history[person.name.split()[0].lower()]
        for row, quarter in zip(person.quarters, QUARTERS, strict=True):
            got = {name: getattr(row, name) for name in counted_here(member, quarter)}
            assert got == counted_here(member, quarter), (person.name, quarter.label)
    mia = people[2]
    assert [q.score for q in mia.quarters] == [4, 1, 0]
    assert mia.declining
    assert not people[1].declining  # Max: the same every quarter
    assert [q.missed for q in mia.quarters] == [False, False, True]


def test_a_quarter_whose_session_is_still_to_come_flags_nobody(org, triad, history):
    # the next quarter has no held session yet: Max did nothing in it, and is not declining
    quarters = [*QUARTERS[1:], Quarter(2026, 2)]
    people = {p.name: p for p in buyin.buy_in(org, quarters, partnership_ids=[triad.pk])}
    assert [q.score for q in people["Max Manager"].quarters] == [3, 3, 0]
    assert not people["Max Manager"].declining


def test_a_person_sees_their_own_and_nobody_else_s(history, member_client):
    page = member_client.get("/meetings/buy-in/?quarter=2026Q1").content.decode()
    assert "Yours" in page
    assert "Max Manager" not in page and "Lee Leader" not in page
    assert "Declining" not in page  # flagged to the facilitator only
    assert "By partnership and by quadrant" not in page


def test_the_facilitator_sees_the_members_and_the_decline(history, leader_client):
    page = leader_client.get("/meetings/buy-in/?quarter=2026Q1").content.decode()
    assert "<bdi>Quality first</bdi>: its members in FY2026 Q1" in page
    assert "Mia Member" in page and "Max Manager" in page
    assert page.count("▼ Declining two quarters") == 1


def test_a_leader_who_does_not_facilitate_sees_only_sums_of_k(org, history, client):
    other = OrgMembershipFactory(
        organization=org,
        role=Role.LEADER,
        member=PersonFactory(organization=org, quadrant="L", name="Lou Other"),
    )
    client.force_login(other.user)
    page = client.get("/meetings/buy-in/?quarter=2026Q1").content.decode()
    assert "Mia Member" not in page and "Max Manager" not in page
    assert "Declining" not in page
    assert "Fewer than 5 people" in page  # the triad has three


def test_groups_of_k_people_show_their_sums(org, triad, history, admin_client):
    for i in range(4):
        person = PersonFactory(organization=org, quadrant="E", name=f"Extra {i}")
        RelationshipFactory(partnership=triad, from_member=history["max"], to_member=person)
    by_partnership, by_quadrant = buyin.groups(org, Quarter(2026, 1))
    (quality,) = by_partnership
    assert (quality.people, quality.invited, quality.attended) == (7, 7, 2)
    assert quality.pulse == 1 and quality.actions_on_time == 1 and quality.actions_due == 2
    employees = next(g for g in by_quadrant if g.quadrant == "E")
    assert (employees.people, employees.attended) == (5, 0)
    assert not next(g for g in by_quadrant if g.quadrant == "M").shown  # only Max
    page = admin_client.get("/meetings/buy-in/?quarter=2026Q1").content.decode()
    assert "2 of 7 (29 %)" in page
    assert "Mia Member" not in page


def test_an_invalid_quarter_is_400(member_client, frozen_now):
    assert member_client.get("/meetings/buy-in/?quarter=2031Q9").status_code == 400


def test_a_channel_whose_members_missed_two_quarters_is_weak(org, triad, history, leader_client):
    absent = [PersonFactory(organization=org, quadrant="E", name=f"Away {i}") for i in range(2)]
    RelationshipFactory(partnership=triad, from_member=absent[0], to_member=absent[1])
    weak = buyin.weak_channels(org, datetime.date(2026, 2, 16))
    # Mia missed one quarter only, and Max never: their channel is not weak
    assert weak.counts == {(triad.pk, "Direct", "E", "E"): 1}
    assert weak.names == {triad.pk: "Quality first"}
    assert weak.quarters == ["FY2025 Q3", "FY2025 Q4"]
    page = leader_client.get("/health/").content.decode()
    assert "Weak channels" in page
    assert "1 relationship in 1 partnership: both members were invited" in page
    section = " ".join(page[page.index("weak-channels-heading") :].split())[:900]
    assert "Quality first</bdi>: 1 direct relationship" in section, section


# Session, user and memberships (3); the facilitator's own figures (8), the partnerships they
# facilitate (1) and each one's members (8); for leaders and admins the sums (10).
LEADER_QUERIES = 3 + 8 + 1 + 8 + 10
ADMIN_QUERIES = 3 + 10


def test_the_page_costs_the_same_queries_for_few_and_many(
    org, triad, history, leader_client, admin_client, django_assert_num_queries
):
    for grown in (False, True):
        if grown:
            for i in range(30):
                person = PersonFactory(organization=org, quadrant="E", name=f"Many {i}")
                RelationshipFactory(partnership=triad, from_member=history["max"], to_member=person)
                history["sessions"][-1].attendees.add(person)
        with django_assert_num_queries(LEADER_QUERIES):
            assert leader_client.get("/meetings/buy-in/?quarter=2026Q1").status_code == 200
        with django_assert_num_queries(ADMIN_QUERIES):
            assert admin_client.get("/meetings/buy-in/?quarter=2026Q1").status_code == 200


def test_weak_channels_cost_three_queries_for_few_and_many(
    org, triad, history, django_assert_num_queries
):
    day = datetime.date(2026, 2, 16)
    for grown in (False, True):
        if grown:  # 15 channels between members who never came
            away = [
                PersonFactory(organization=org, quadrant="E", name=f"Away {i}") for i in range(30)
            ]
            for a, b in zip(away[::2], away[1::2], strict=True):
                RelationshipFactory(partnership=triad, from_member=a, to_member=b)
        # the held sessions of the two quarters before, their attendees, the relationships
        with django_assert_num_queries(3):
            weak = buyin.weak_channels(org, day)
        assert weak.counts == ({(triad.pk, "Direct", "E", "E"): 15} if grown else {})


def test_weak_channels_are_told_by_partnership_and_pair_the_largest_first():
    # partnership n has n + 1 weak relationships
    channels = hooks.WeakChannels(
        counts=Counter({(n, "Influential", "M", "E"): n + 1 for n in range(12)}),
        names={n: f"Partnership {n:02d}" for n in range(12)},
        quarters=["FY2025 Q3", "FY2025 Q4"],
    )
    weak = hooks.group_weak_channels(channels)
    assert weak["count"] == 78 and weak["partnerships"] == 12
    assert [g["count"] for g in weak["groups"]] == [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]
    assert weak["groups"][0]["partnership"] == "Partnership 11"
    assert weak["more_groups"] == 2
    assert weak["quarters"] == ["FY2025 Q3", "FY2025 Q4"]
    assert hooks.group_weak_channels(hooks.WeakChannels()) == {
        "count": 0,
        "partnerships": 0,
        "quarters": [],
        "groups": [],
        "more_groups": 0,
    }


def test_groups_of_the_same_size_are_told_by_partnership_name_then_type_and_pair():
    channels = hooks.WeakChannels(
        counts=Counter(
            {
                (2, "Influential", "M", "E"): 3,
                (1, "Guidance", "L", "E"): 3,
                (1, "Direct", "T", "E"): 3,
                (3, "Direct", "T", "E"): 5,
            }
        ),
        names={1: "Night shift", 2: "Day shift", 3: "Weekend"},
        quarters=["FY2025 Q3", "FY2025 Q4"],
    )
    groups = hooks.group_weak_channels(channels)["groups"]
    assert [(g["partnership"], g["type"], g["count"]) for g in groups] == [
        ("Weekend", "Direct", 5),
        ("Day shift", "Influential", 3),
        ("Night shift", "Direct", 3),
        ("Night shift", "Guidance", 3),
    ]


def test_what_several_sources_find_is_added_up(monkeypatch):
    day = datetime.date(2026, 2, 16)
    found = [
        hooks.WeakChannels(Counter({(1, "Direct", "T", "E"): 2}), {1: "Night shift"}, ["Q3"]),
        hooks.WeakChannels(Counter({(1, "Direct", "T", "E"): 1}), {1: "Night shift"}, ["Q3"]),
        hooks.WeakChannels(),
    ]
    monkeypatch.setattr(hooks, "_weak_channel_sources", [lambda org, d, f=f: f for f in found])
    weak = hooks.weak_channels(None, day)
    assert weak.counts == {(1, "Direct", "T", "E"): 3}
    assert weak.names == {1: "Night shift"} and weak.quarters == ["Q3"]


def test_weak_channels_are_kept_under_the_data_versions(
    org, triad, history, django_assert_num_queries
):
    day = datetime.date(2026, 2, 16)
    first = hooks.weak_channel_groups(org, day)
    with django_assert_num_queries(2):  # the two data versions; the groups from the cache
        assert hooks.weak_channel_groups(org, day) == first
    absent = [PersonFactory(organization=org, quadrant="E", name=f"Away {i}") for i in range(2)]
    RelationshipFactory(partnership=triad, from_member=absent[0], to_member=absent[1])
    again = hooks.weak_channel_groups(org, day)  # a new version: computed again
    assert again["count"] == first["count"] + 1
