"""Bidirectional text: a name or title holding an invisible direction control (U+202A–U+202E,
U+2066–U+2069) is refused with a message, in forms and in the HR import (by line); names are
shown isolated, so a right-to-left name cannot turn the app's own words around."""

from __future__ import annotations

import pytest

from org.bidi import refuse_bidi_controls
from org.models import Member
from partnerships.models import Objective, Partnership
from tests.factories import ObjectiveFactory, PersonFactory
from tests.org.test_member_edit import person_data
from transfer.imports import plan_import

RLO = "\u202e"


@pytest.mark.parametrize(
    "code", [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
)
def test_every_direction_control_is_refused_and_named(code):
    with pytest.raises(Exception, match=f"U\\+{code:04X}"):
        refuse_bidi_controls(f"Ada{chr(code)} Boss")


def test_a_right_to_left_name_without_controls_is_welcome():
    refuse_bidi_controls("דוד כהן")  # Hebrew letters are text, not controls
    refuse_bidi_controls("Zoë O’Brien")


def test_a_member_named_with_an_override_is_refused_with_a_message(admin_client, org):
    response = admin_client.post("/org/members/new/", person_data(name=f"Eve {RLO}pihsredaeL"))

    assert response.status_code == 200
    assert "invisible direction control (U+202E)" in response.content.decode()
    assert not Member.objects.filter(organization=org).exists()


def test_a_title_with_an_override_is_refused(admin_client, org):
    response = admin_client.post("/org/members/new/", person_data(title=f"{RLO}OEC"))

    assert "invisible direction control (U+202E)" in response.content.decode()
    assert not Member.objects.filter(organization=org).exists()


def test_an_objective_title_with_an_override_is_refused(leader_client, org):
    response = leader_client.post(
        "/objectives/new/",
        {
            "title": f"Growth{RLO}",
            "emphasis": "growth",
            "status": "active",
            "starts_on": "2024-01-01",
        },
    )

    assert "invisible direction control (U+202E)" in response.content.decode()
    assert not Objective.objects.filter(organization=org).exists()


def test_a_partnership_name_with_an_isolate_is_refused(leader_client, org):
    objective = ObjectiveFactory(organization=org)

    response = leader_client.post(
        "/partnerships/new/",
        {"name": "Drive\u2067", "objective": objective.pk, "formed_on": "2024-01-01"},
    )

    assert "invisible direction control (U+2067)" in response.content.decode()
    assert not Partnership.objects.filter(organization=org).exists()


def test_the_import_names_the_line_and_column_of_a_control():
    data = f"id,name,title,manager_id\n1,Ann,Boss,\n2,Ben,{RLO}Clerk,1\n".encode()

    plan = plan_import(data)

    assert not plan.ok
    [problem] = plan.errors
    assert (problem.code, problem.line, problem.column) == ("bidi_control", 3, "title")
    assert "U+202E" in problem.message


def test_a_name_is_isolated_on_the_page_beside_the_apps_own_words(member_client, org):
    person = PersonFactory(organization=org, quadrant="L", name=f"Eve {RLO}Evil")

    page = member_client.get(f"/org/members/{person.pk}/").content.decode()

    assert f"<bdi>Eve {RLO}Evil</bdi>" in page
