"""The Citus layout is found from the models, so tables added later are covered (no database
needed); and citus:// selects the backend that joins tenant tables on the organization."""

from django.apps import apps

from org.models import Organization
from partnerships.citus import layout
from partnerships.settings import database_from_url


def test_every_model_with_an_organization_is_distributed_by_it():
    plan = layout()
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "organization"), None)
        if field is not None and field.related_model is Organization and not field.null:
            assert plan.tenant[model._meta.db_table] == "organization_id", model
    assert plan.tenant["partnerships_datachange"] == "organization_pk"


def test_shared_tables_are_reference_and_the_rest_stays_on_the_coordinator():
    plan = layout()
    assert {"org_organization", "meetings_action", "auth_user"} <= plan.reference
    assert "meetings_session_attendees" in plan.reference
    assert plan.unanchored == {"meetings_session_attendees"}
    assert {"django_session", "org_loginattempt"} <= plan.local
    assert not (plan.reference & plan.tenant.keys())
    assert not (plan.local & (plan.reference | plan.tenant.keys()))


def test_a_citus_url_is_postgresql_through_the_citus_backend():
    db = database_from_url("DATABASE_URL", "citus://app:secret@coordinator:9700/partnerships")
    assert db["ENGINE"] == "partnerships.citus_backend"
    assert (db["HOST"], db["PORT"], db["NAME"]) == ("coordinator", "9700", "partnerships")
