"""Nobody sees an individual's answer: every page and export that shows pulse or session
ratings shows a group only from k distinct raters (5 unless the organization sets it, never
below 3), and otherwise "fewer than k answers". Walked with 1, k - 1 and k raters."""

from __future__ import annotations

import csv
import io

import pytest

from meetings.models import PULSE_FIELDS, Session
from meetings.progress.services import pulse_give
from org.models import AuditEntry, Organization
from tests.factories import PersonFactory, RelationshipFactory

K = 5
# Every rater answers the same, so an average of any group equals one person's answer: if
# any of these shows with fewer than k raters, an individual's answer is on the page.
ANSWER = dict(zip(PULSE_FIELDS, [1, 2, 3, 4, 5, 1, 2], strict=True))
OVERALL, COMMUNICATION, RELATIONSHIP = "2.6", "2.5", "2.7"  # 18/7, 10/4, 8/3
WORTH = 2
VALUES_IN_HTML = [f">{OVERALL}<", f">{COMMUNICATION}<", f">{RELATIONSHIP}<", "2.0 <span"]


@pytest.fixture
def held(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    session.refresh_from_db()
    return session


def raters(org, session, n: int) -> None:
    """n employees attend and each gives the same answers about leadership and managers."""
    lee = session.facilitator
    for i in range(n):
        person = PersonFactory(organization=org, quadrant="E", name=f"Rater {i}")
        RelationshipFactory(partnership=session.partnership, from_member=lee, to_member=person)
        session.attendees.add(person)
        pulse_give(
            session=session,
            member=person,
            worth=WORTH,
            pulse={q: dict(ANSWER) for q in "LM"},
            via="login",
        )


def pages(held, leader_client, admin_client, member_client, admin_client_django) -> dict:
    pulse = f"/meetings/sessions/{held.pk}/pulse/"
    return {
        "dashboard (leader)": leader_client.get("/meetings/progress/?quarter=2026Q1"),
        "dashboard (admin)": admin_client.get("/meetings/progress/?quarter=2026Q1"),
        "partnership pulse (leader)": leader_client.get(pulse),
        "partnership pulse (member)": member_client.get(pulse),
        "measurements": leader_client.get("/meetings/measurements/?quarter=2026Q1"),
        "buy-in (admin)": admin_client.get("/meetings/buy-in/?quarter=2026Q1"),
        "buy-in (member)": member_client.get("/meetings/buy-in/?quarter=2026Q1"),
        "audit trail": admin_client.get("/org/audit/"),
        "django admin": admin_client_django.get("/admin/"),
        "django admin audit": admin_client_django.get("/admin/org/auditentry/"),
        "django admin changes": admin_client_django.get("/admin/meetings/measurementchange/"),
    }


def export(leader_client) -> list[dict]:
    response = leader_client.get("/meetings/export/pulse.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("n", [1, K - 1])
def test_fewer_than_k_raters_show_nowhere(
    n, org, held, leader_client, admin_client, member_client, admin_client_django
):
    raters(org, held, n)
    shown = pages(held, leader_client, admin_client, member_client, admin_client_django)
    for name, response in shown.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        for value in VALUES_IN_HTML:
            assert value not in html, (name, value)
        assert "Rater 0" not in html or name == "audit trail", name
    for name in ["dashboard (leader)", "dashboard (admin)", "partnership pulse (leader)"]:
        assert "Fewer than 5 answers" in shown[name].content.decode(), name
    board = shown["dashboard (leader)"].context["board"]
    assert board.now.pulse[("E", "M")].overall is None
    assert board.now.worth.average is None
    for name in ["django admin"]:
        assert "Pulse rating" not in shown[name].content.decode()
        assert "Session rating" not in shown[name].content.decode()
    rows = export(leader_client)
    assert rows, "the export lists the groups, hidden"
    for row in rows:
        assert row["raters"] == "fewer than 5 answers", row
        assert row["average"] == "" and all(row[name] == "" for name in PULSE_FIELDS), row
    # the audit trail says who answered, never what
    assert all(e.changes == {} for e in AuditEntry.objects.filter(object_type="pulse_given"))


def test_k_raters_show_the_average_everywhere(
    org, held, leader_client, admin_client, member_client, admin_client_django
):
    raters(org, held, K)
    shown = pages(held, leader_client, admin_client, member_client, admin_client_django)
    for name in ["dashboard (leader)", "dashboard (admin)"]:
        html = shown[name].content.decode()
        assert f">{OVERALL}<" in html and f">{COMMUNICATION}<" in html, name
        assert f'2.0 <span class="muted">({K})</span>' in html, name
    for name in ["partnership pulse (leader)", "partnership pulse (member)"]:
        html = shown[name].content.decode()
        assert f">{OVERALL}<" in html and f'2.0 <span class="muted">from {K} people' in html
    rows = export(leader_client)
    whole = {
        (r["partnership"], r["measure"], r["rater_quadrant"], r["about_quadrant"]): r for r in rows
    }
    pulse = whole[("All partnerships", "pulse", "E", "M")]
    assert pulse["raters"] == str(K)
    assert [pulse[name] for name in PULSE_FIELDS] == [
        "1.0",
        "2.0",
        "3.0",
        "4.0",
        "5.0",
        "1.0",
        "2.0",
    ]
    assert pulse["average"] == "2.57"
    worth = whole[("Quality first", "worth the time", "", "")]
    assert (worth["raters"], worth["average"]) == (str(K), "2.0")
    assert all("Rater" not in line for line in map(str, rows))


def test_the_organization_sets_k_but_never_below_3(
    org, held, admin_client, leader_client, member_client
):
    raters(org, held, 3)
    response = admin_client.post("/org/settings/pulse/", {"pulse_min_raters": "2"})
    assert response.status_code == 400
    assert "At least 3: with fewer, people could work out each other" in response.content.decode()
    assert Organization.objects.get(pk=org.pk).pulse_min_raters == 5
    assert leader_client.post("/org/settings/pulse/", {"pulse_min_raters": "3"}).status_code == 403
    response = admin_client.post("/org/settings/pulse/", {"pulse_min_raters": "3"})
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).pulse_min_raters == 3
    entry = AuditEntry.objects.get(object_type="organization")
    assert entry.changes == {"pulse_min_raters": [5, 3]}
    page = leader_client.get("/meetings/progress/?quarter=2026Q1").content.decode()
    assert f">{OVERALL}<" in page
    assert "Fewer than 3 answers" not in page
    settings_page = admin_client.get("/org/settings/").content.decode()
    assert "Fewest raters shown" in settings_page and 'value="3"' in settings_page
