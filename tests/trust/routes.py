"""Every route of the URLconf, walked from the resolver, and what each one may do.

`walk()` lists the routes the app really has. `ROUTES` says, for each of them, which
objects its URL names (as attributes of a `World`), which methods it answers, and which roles
may use each method. The isolation tests fail when the two disagree, so a page added to any
urls.py is covered the day it appears, or the suite says which entry to add here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from meetings.selectors import current_quarter
from tests.trust.world import World

# Namespaces not walked, and why.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin site: only for staff users (is_staff), who run the whole "
    "installation; it has its own login and is not tenant-scoped.",
}

# Routes that answer without a login, and why.
PUBLIC = {
    "login": "the login page itself",
    "account_login": "the same login page under the name django-allauth's pages link to",
    "account_inactive": "allauth's page for a login that is turned off; shows nothing else",
    "account_reset_password": "asking for a password reset link by email: the same answer "
    "whether or not the address has a login, rate limited by allauth",
    "account_reset_password_done": "says to look in the mailbox; shows nothing",
    "account_reset_password_from_key": "the link from the reset email: the key in its URL is "
    "the credential (tests/access/test_password_reset.py: an altered key changes nothing)",
    "account_reset_password_from_key_done": "says the password is set; shows nothing",
    "logout": "Django's logout: POST only, ends whatever session there is",
    "mfa_authenticate": "the two-factor step of a login: asks for the code of the login begun "
    "with a password (tests/access/test_two_factor.py); without one it sends back to log in",
    "single_sign_on_start": "the login page's single sign-on form: finds the organization by "
    "the email's domain and sends the browser to its identity provider; shows nothing else",
    "single_sign_on_callback": "where identity providers send people back: the state, the "
    "code and the signed ID token are the credential (tests/access/test_single_sign_on.py)",
    "healthz": "the load balancer's probe; says only whether the database answers",
    "invitation_accept": "the link from an invitation email: the key in its URL is the "
    "credential (tests/access/test_invitations.py: an altered, used, revoked or expired key is "
    "a page that says so and changes nothing; bad keys are counted per address)",
    "meetings:pulse_by_link": "the pulse link from the reminder mail: the signed token in its "
    "URL (one person, one session) is the credential, and it works once "
    "(tests/progress/test_pulse_links.py: an altered, used or foreign token changes nothing)",
    "meetings:calendar_feed": "a private iCalendar feed; the random token in its URL is the "
    "credential (tests/meetings/test_calendar.py: an unknown token is a 404)",
}

ADMIN = frozenset({"admin"})
LEADERS = frozenset({"admin", "leader"})
LOGGERS = frozenset({"admin", "leader", "manager"})
EVERYONE = frozenset({"admin", "leader", "manager", "member"})
LINKED = frozenset({"leader", "manager", "member"})  # logins linked to a person (not the admin)
# Managers log sessions and change relationships only of partnerships they belong to today
# (the world's manager does), and only relationships they are an end of (partnerships/access.py).
# Another partnership's, or one they left, is refused: tests/trust/test_who_may_change.py.
CURRENT_MEMBERS = LOGGERS
LOGGERS_OF_OWN_ENDS = LOGGERS
ROLES = ("admin", "leader", "manager", "member")

LOG_KINDS = ("successes", "progress", "feedback", "actions")


@dataclass(frozen=True)
class WalkedRoute:
    name: str  # "namespace:url_name"
    pattern: str
    kwargs: frozenset[str]


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[WalkedRoute]:
    """Every URL pattern, through every include, except the excluded namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(n for n in (namespace, entry.name or "") if n)
            kwargs = frozenset(getattr(entry.pattern, "converters", {}))
            if hasattr(entry.pattern, "regex"):
                kwargs |= frozenset(entry.pattern.regex.groupindex)
            yield WalkedRoute(name=name, pattern=prefix + str(entry.pattern), kwargs=kwargs)


Kwargs = Callable[[World], list[dict]]


def none(world: World) -> list[dict]:
    return [{}]


def objects(**names: str) -> Kwargs:
    """URL kwargs from the world's objects: objects(pk="partnership") → {"pk": partnership.pk}."""
    return lambda world: [{kw: getattr(world, attr).pk for kw, attr in names.items()}]


def fixed(**values: str) -> Kwargs:
    """URL kwargs that name no object (a quadrant, a flow): the same in every organization."""
    return lambda world: [dict(values)]


def this_quarter(**names: str) -> Kwargs:
    """The current quarter's key, with objects: this_quarter(pk="objective")."""

    def kwargs(world: World) -> list[dict]:
        key = current_quarter(world.organization).key
        return [{"quarter_key": key, **{kw: getattr(world, a).pk for kw, a in names.items()}}]

    return kwargs


def this_quarter_fixed(**values) -> Kwargs:
    return lambda world: [{"quarter_key": current_quarter(world.organization).key, **values}]


def scenario_step_kind(world: World) -> list[dict]:
    return [{"pk": world.scenario.pk, "kind": "archive"}]


def log_items(world: World) -> list[dict]:
    return [{"kind": kind, "pk": world.log_item(kind).pk} for kind in LOG_KINDS]


def session_log(world: World) -> list[dict]:
    return [{"kind": kind, "pk": world.session.pk} for kind in LOG_KINDS]


@dataclass(frozen=True)
class Route:
    """What a route names and who may use it.

    get / post: the roles that may use the method on their own organization's objects (the
    others get 403); None when the route does not answer that method at all (405).
    """

    kwargs: Kwargs = none
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    names_object: bool = field(default=True)

    def methods(self) -> list[str]:
        return [m for m, roles in (("GET", self.get), ("POST", self.post)) if roles is not None]


def _no_object(**kw) -> Route:
    return Route(names_object=False, **kw)


ROUTES: dict[str, Route] = {
    "home": _no_object(get=EVERYONE),
    "account:page": _no_object(get=EVERYONE),
    "account:password_change": _no_object(get=EVERYONE, post=EVERYONE),
    "account:password_change_done": _no_object(get=EVERYONE),
    "account:logout_everywhere": _no_object(post=EVERYONE),
    # two-factor (allauth.mfa): each person's own, whatever their role
    "mfa_index": _no_object(get=EVERYONE),
    "mfa_reauthenticate": _no_object(get=EVERYONE, post=EVERYONE),
    "account_reauthenticate": _no_object(get=EVERYONE, post=EVERYONE),
    "mfa_activate_totp": _no_object(get=EVERYONE, post=EVERYONE),
    "mfa_deactivate_totp": _no_object(get=EVERYONE, post=EVERYONE),
    "mfa_view_recovery_codes": _no_object(get=EVERYONE),
    "mfa_generate_recovery_codes": _no_object(get=EVERYONE, post=EVERYONE),
    "mfa_download_recovery_codes": _no_object(get=EVERYONE),
    # org
    "org:switch": _no_object(post=EVERYONE),
    "org:member_list": _no_object(get=EVERYONE),
    "org:member_new": _no_object(get=ADMIN, post=ADMIN),
    "partnerships:member_detail": Route(objects(pk="employee"), get=EVERYONE),
    "org:member_edit": Route(objects(pk="employee"), get=ADMIN, post=ADMIN),
    "partnerships:member_archive": Route(objects(pk="employee"), get=ADMIN, post=ADMIN),
    "partnerships:member_remove": Route(objects(pk="employee"), get=ADMIN, post=ADMIN),
    "partnerships:member_move": Route(objects(pk="employee"), get=ADMIN, post=ADMIN),
    "partnerships:move_remove": Route(
        objects(pk="employee", move_pk="move"), get=ADMIN, post=ADMIN
    ),
    "org:member_people": Route(objects(pk="team"), get=ADMIN),
    "partnerships:team_seat": Route(objects(pk="team"), post=ADMIN),
    "org:member_people_search": Route(objects(pk="team"), get=ADMIN),
    "org:audit": _no_object(get=ADMIN),
    # who has access: people, invitations, logins (tests/access/)
    "access:people": _no_object(get=ADMIN),
    "access:invite_many": _no_object(get=ADMIN, post=ADMIN),
    "access:person": Route(objects(pk="employee"), get=ADMIN),
    "access:invite": Route(objects(pk="invitee"), post=ADMIN),
    "access:invitation_resend": Route(objects(pk="invitation"), post=ADMIN),
    "access:invitation_revoke": Route(objects(pk="invitation"), post=ADMIN),
    "access:login": Route(objects(pk="login"), get=ADMIN),
    "access:login_role": Route(objects(pk="login"), post=ADMIN),
    "access:login_disable": Route(objects(pk="login"), post=ADMIN),
    "access:login_enable": Route(objects(pk="login"), post=ADMIN),
    "org:settings": _no_object(get=ADMIN),
    "org:two_factor": _no_object(post=ADMIN),
    "org:pulse_threshold": _no_object(post=ADMIN),
    "org:single_sign_on": _no_object(get=ADMIN, post=ADMIN),
    # the import and the exports
    "org_import:upload": _no_object(get=ADMIN, post=ADMIN),
    "org_import:columns": _no_object(get=ADMIN, post=ADMIN),
    "org_import:preview": _no_object(get=ADMIN),
    "org_import:apply": _no_object(post=ADMIN),
    "org_import:cancel": _no_object(post=ADMIN),
    "org_import:export_members": _no_object(get=LEADERS),
    "org_import:export_relationships": _no_object(get=LEADERS),
    "org_import:export_backup": _no_object(get=ADMIN),
    # the diagram and the health page
    "diagram:diagram": _no_object(get=EVERYONE),
    "diagram:quadrant": _no_object(kwargs=fixed(quadrant="E"), get=EVERYONE),
    "diagram:flow": _no_object(kwargs=fixed(flow="LM"), get=EVERYONE),
    "diagram:search": _no_object(get=EVERYONE),
    "diagram:member": Route(objects(pk="employee"), get=EVERYONE),
    "diagram:partnership": Route(objects(pk="partnership"), get=EVERYONE),
    "diagram:export_svg": _no_object(get=EVERYONE),
    "diagram:export_csv": _no_object(get=EVERYONE),
    "health:page": _no_object(get=EVERYONE),
    "health:brokers": _no_object(get=EVERYONE),
    "health:trend": _no_object(get=EVERYONE),
    # a card's key names a kind of risk, not an object: the world's team is reached by nobody
    "health:remedy": _no_object(kwargs=fixed(key="orphan:T"), get=LEADERS, post=LEADERS),
    "health:accept": _no_object(kwargs=fixed(key="orphan:T"), get=LEADERS, post=LEADERS),
    # objectives, partnerships, relationships
    "partnerships:objective_list": _no_object(get=EVERYONE),
    "partnerships:objective_create": _no_object(get=LEADERS, post=LEADERS),
    "partnerships:objective_detail": Route(objects(pk="objective"), get=EVERYONE),
    "partnerships:partnership_list": _no_object(get=EVERYONE),
    "partnerships:partnership_create": _no_object(get=LEADERS, post=LEADERS),
    "partnerships:changes": _no_object(get=LEADERS),
    "partnerships:partnership_detail": Route(objects(pk="partnership"), get=EVERYONE),
    "partnerships:dissolve": Route(objects(pk="partnership"), post=LEADERS),
    # Relationships: the manager may reach these routes only because the world's manager
    # belongs to its partnership today and is an end of `relationship` (leader → manager).
    # They may not change a relationship between two others, nor anything of a partnership
    # they left, nor the chain of command (only admins): tests/trust/test_who_may_change.py.
    "partnerships:relationship_add": Route(
        objects(pk="partnership"), get=LOGGERS, post=LOGGERS_OF_OWN_ENDS
    ),
    "partnerships:relationship_type_preview": Route(objects(pk="partnership"), get=LOGGERS),
    "partnerships:relationship_member_search": Route(
        lambda world: [{"pk": world.partnership.pk, "side": side} for side in ("from", "to")],
        get=LOGGERS,
    ),
    "partnerships:relationship_end": Route(
        objects(pk="partnership", relationship_pk="relationship"), post=LOGGERS_OF_OWN_ENDS
    ),
    # Corrections: who may end a relationship may remove it and undo its removal; leaders and
    # admins remove partnerships and objectives (the chain of command: admins only).
    "partnerships:relationship_remove": Route(
        objects(pk="partnership", relationship_pk="relationship"),
        get=LOGGERS_OF_OWN_ENDS,
        post=LOGGERS_OF_OWN_ENDS,
    ),
    "partnerships:relationship_restore": Route(
        objects(entry_pk="removed_relationship"), post=LOGGERS_OF_OWN_ENDS
    ),
    "partnerships:partnership_remove": Route(objects(pk="partnership"), get=LEADERS, post=LEADERS),
    "partnerships:objective_remove": Route(objects(pk="objective"), get=LEADERS, post=LEADERS),
    "partnerships:objective_restore": Route(objects(entry_pk="removed_objective"), post=LEADERS),
    "partnerships:member_partnerships": Route(objects(pk="employee"), get=EVERYONE),
    # sessions
    "meetings:my_sessions": _no_object(get=EVERYONE),
    "meetings:planner": _no_object(get=LEADERS, post=LEADERS),
    "meetings:blackout_add": _no_object(post=LEADERS),
    "meetings:blackout_delete": Route(objects(pk="blackout"), post=LEADERS),
    "meetings:schedule": Route(
        objects(pk="partnership"), get=CURRENT_MEMBERS, post=CURRENT_MEMBERS
    ),
    "meetings:session": Route(objects(pk="session"), get=EVERYONE),
    "meetings:session_details": Route(
        objects(pk="session"), get=CURRENT_MEMBERS, post=CURRENT_MEMBERS
    ),
    "meetings:session_held": Route(
        objects(pk="session"), get=CURRENT_MEMBERS, post=CURRENT_MEMBERS
    ),
    "meetings:session_status": Route(
        objects(pk="session"), get=CURRENT_MEMBERS, post=CURRENT_MEMBERS
    ),
    "meetings:session_ics": Route(objects(pk="session"), get=EVERYONE),
    "meetings:item_add": Route(session_log, get=CURRENT_MEMBERS, post=CURRENT_MEMBERS),
    "meetings:action_done": Route(objects(pk="action"), post=CURRENT_MEMBERS),
    "meetings:item": Route(log_items, get=EVERYONE),
    "meetings:item_edit": Route(log_items, get=CURRENT_MEMBERS, post=CURRENT_MEMBERS),
    "meetings:item_remove": Route(log_items, get=CURRENT_MEMBERS, post=CURRENT_MEMBERS),
    "meetings:item_restore": Route(objects(entry_pk="removed_log_item"), post=CURRENT_MEMBERS),
    # what the people of a partnership add themselves (every role: the world's member belongs
    # to the partnership); each changes only their own, who logs changes any: the world's
    # agenda item is the member's (tests/meetings/test_contributions.py)
    "meetings:session_agenda": Route(
        objects(pk="session"), get=CURRENT_MEMBERS, post=CURRENT_MEMBERS
    ),
    "meetings:contribute": Route(
        lambda world: [
            {"pk": world.session.pk, "kind": kind} for kind in ("agenda", "successes", "feedback")
        ],
        post=EVERYONE,
    ),
    "meetings:contribution_edit": Route(
        lambda world: [{"kind": "agenda", "pk": world.agenda_item.pk}], get=EVERYONE, post=EVERYONE
    ),
    "meetings:contribution_remove": Route(
        lambda world: [{"kind": "agenda", "pk": world.agenda_item.pk}], get=EVERYONE, post=EVERYONE
    ),
    "meetings:calendar": _no_object(get=EVERYONE),
    "meetings:calendar_reset": _no_object(post=LINKED),
    # the leader's progress: checklist, measurements, pulse, successes, dashboard
    "meetings:dashboard": _no_object(get=LEADERS),
    # Leaders keep the checklist; managers once they opt in (A's manager has not: the page
    # offers the opt-in, and the checklist's actions are refused).
    "meetings:checklist": _no_object(get=frozenset({"leader", "manager"})),
    "meetings:checklist_opt_in": _no_object(post=frozenset({"manager"})),
    "meetings:checklist_state": _no_object(
        kwargs=this_quarter_fixed(number=1), post=frozenset({"leader"})
    ),
    "meetings:checklist_note": _no_object(
        kwargs=this_quarter_fixed(number=1), post=frozenset({"leader"})
    ),
    "meetings:measurements": _no_object(get=LEADERS),
    "meetings:score_set": _no_object(kwargs=this_quarter_fixed(kind="customer"), post=LEADERS),
    "meetings:objective_value_set": Route(this_quarter(pk="objective"), post=LEADERS),
    # the pulse page shows only groups of k raters; each attendee (a linked login) gives their own
    "meetings:session_pulse": Route(objects(pk="session"), get=EVERYONE, post=LINKED),
    "meetings:buy_in": _no_object(get=EVERYONE),
    "meetings:success_feed": _no_object(get=EVERYONE),
    "meetings:success_new": _no_object(get=LOGGERS, post=LOGGERS),
    "meetings:success_share": Route(objects(pk="success"), post=CURRENT_MEMBERS),
    "meetings:partnership_successes": Route(objects(pk="partnership"), get=EVERYONE),
    "meetings:export_measurements": _no_object(get=LEADERS),
    "meetings:export_pulse": _no_object(get=LEADERS),
    "meetings:export_successes": _no_object(get=EVERYONE),
    # scenarios: admins and leaders draft, read and apply them (a leader applies a scenario
    # without structural steps, as the world's is: tests/scenarios)
    "scenarios:list": _no_object(get=LEADERS, post=LEADERS),
    "scenarios:compare": _no_object(get=LEADERS),
    "scenarios:detail": Route(objects(pk="scenario"), get=LEADERS),
    "scenarios:rename": Route(objects(pk="scenario"), get=LEADERS, post=LEADERS),
    "scenarios:copy": Route(objects(pk="scenario"), post=LEADERS),
    "scenarios:delete": Route(objects(pk="scenario"), get=LEADERS, post=LEADERS),
    "scenarios:step_add": Route(scenario_step_kind, get=LEADERS, post=LEADERS),
    "scenarios:step_remove": Route(objects(pk="scenario", step_pk="scenario_step"), post=LEADERS),
    "scenarios:apply": Route(objects(pk="scenario"), get=LEADERS, post=LEADERS),
    "scenarios:diagram": Route(objects(pk="scenario"), get=LEADERS),
    "scenarios:health": Route(objects(pk="scenario"), get=LEADERS),
    "scenarios:brokers": Route(objects(pk="scenario"), get=LEADERS),
    "scenarios:member": Route(objects(pk="scenario", member_pk="employee"), get=LEADERS),
    "scenarios:partnership": Route(
        objects(pk="scenario", partnership_pk="partnership"), get=LEADERS
    ),
}
