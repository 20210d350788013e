"""Writes to the organization's structure: people and teams, their quadrants and team seats.

Each function is keyword-only and atomic. Forms give the user specific messages first; these
functions check again (and the database constraints a third time), raising ValidationError
with a message fit to show, so that no caller can write an invalid structure.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from org import dates
from org.audit import audit_record, diff, snapshot
from org.models import (
    PERSON_QUADRANTS,
    Member,
    Organization,
    OrgMembership,
    Quadrant,
    QuadrantMove,
    SingleSignOn,
    SingleSignOnDomain,
    TeamMembership,
)

# The member's fields the audit trail keeps before and after each change.
MEMBER_AUDIT_FIELDS = [
    "kind",
    "quadrant",
    "name",
    "title",
    "email",
    "external_id",
    "active_from",
    "active_until",
]


@transaction.atomic
def member_create(
    *,
    organization: Organization,
    kind: str,
    quadrant: str,
    name: str,
    title: str = "",
    email: str = "",
    external_id: str = "",
    active_from: datetime.date | None = None,
    active_until: datetime.date | None = None,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Add a person or a team; active from today (in the organization's time zone) by default."""
    member = Member(
        organization=organization,
        kind=kind,
        quadrant=quadrant,
        name=name.strip(),
        title=title.strip(),
        email=email.strip(),
        external_id=external_id.strip(),
        active_from=active_from or organization.today(),
        active_until=active_until,
    )
    member.full_clean()
    member.save()
    audit_record(by=by, action="created", obj=member, after=snapshot(member, MEMBER_AUDIT_FIELDS))
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    name: str,
    title: str,
    email: str,
    external_id: str,
    active_from: datetime.date,
    active_until: datetime.date | None,
    expected_version: str | None = None,
    by: AbstractBaseUser | None = None,
) -> Member:
    """Change a member's facts (not kind or quadrant: see member_move); returns the saved row.

    expected_version is the member's updated_at as the editor saw it (isoformat); when someone
    else saved in between, the edit is refused rather than silently overwriting theirs. A save
    that changes nothing writes nothing, so that it cannot make someone else's edit stale.
    """
    current = Member.objects.select_for_update().get(
        organization_id=member.organization_id, pk=member.pk
    )
    if expected_version is not None and current.updated_at.isoformat() != expected_version:
        raise ValidationError(
            "Someone else changed %(name)s while you were editing. Reload the page to see "
            "their changes, then edit again.",
            code="stale",
            params={"name": current.name},
        )
    before = snapshot(current, MEMBER_AUDIT_FIELDS)
    current.name = name.strip()
    current.title = title.strip()
    current.email = email.strip()
    current.external_id = external_id.strip()
    current.active_from = active_from
    current.active_until = active_until
    if not diff(before, snapshot(current, MEMBER_AUDIT_FIELDS)):
        return current  # nothing changed: no write, no new version, no entry
    current.full_clean()
    current.save(
        update_fields=[
            "name",
            "title",
            "email",
            "external_id",
            "active_from",
            "active_until",
            "updated_at",
        ]
    )
    audit_record(
        by=by,
        action="changed",
        obj=current,
        before=before,
        after=snapshot(current, MEMBER_AUDIT_FIELDS),
    )
    return current


@transaction.atomic
def member_archive(
    *, member: Member, on: datetime.date, by: AbstractBaseUser | None = None
) -> Member:
    """End a member's activity: from `on` (exclusive end) they are no longer active."""
    if member.active_until is not None and member.active_until <= on:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s is already archived: not active since %(day)s.",
                    code="already_archived",
                    params={"name": member.name, "day": dates.day(member.active_until)},
                )
            }
        )
    if on == member.active_from:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s became active on %(day)s: archived the same day, they never were. "
                    "Remove them instead (“Remove: it never happened”).",
                    code="archived_on_first_day",
                    params={"name": member.name, "day": dates.day(member.active_from)},
                )
            }
        )
    if on < member.active_from:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s became active on %(day)s; the archive date must be after that.",
                    code="before_start",
                    params={"name": member.name, "day": dates.day(member.active_from)},
                )
            }
        )
    before = snapshot(member, ["active_until"])
    member.active_until = on
    member.save(update_fields=["active_until", "updated_at"])
    audit_record(
        by=by,
        action="archived",
        obj=member,
        before=before,
        after=snapshot(member, ["active_until"]),
    )
    return member


@transaction.atomic
def member_move(
    *,
    member: Member,
    to_quadrant: str,
    on: datetime.date,
    by: AbstractBaseUser | None,
) -> QuadrantMove:
    """Move a person to another quadrant and record the move in the history.

    Every reason to refuse the move raises ValidationError keyed by "to_quadrant" (or "on"),
    so the move form shows it beside the field.
    """
    locked = Member.objects.select_for_update().get(
        organization_id=member.organization_id, pk=member.pk
    )
    member.quadrant = locked.quadrant
    if member.is_team:
        raise ValidationError(
            {
                "to_quadrant": ValidationError(
                    "%(name)s is a team; teams always sit in the Teams quadrant.",
                    code="team_cannot_move",
                    params={"name": member.name},
                )
            }
        )
    if to_quadrant not in Quadrant.values:
        raise ValidationError(
            {
                "to_quadrant": ValidationError(
                    "“%(value)s” is not a quadrant.",
                    code="unknown_quadrant",
                    params={"value": to_quadrant},
                )
            }
        )
    if to_quadrant not in PERSON_QUADRANTS:
        raise ValidationError(
            {
                "to_quadrant": ValidationError(
                    "A person cannot sit in the Teams quadrant; choose Leadership, Managers or "
                    "Employees.",
                    code="person_in_teams_quadrant",
                )
            }
        )
    if to_quadrant == member.quadrant:
        raise ValidationError(
            {
                "to_quadrant": ValidationError(
                    "%(name)s is already in %(quadrant)s.",
                    code="same_quadrant",
                    params={"name": member.name, "quadrant": member.get_quadrant_display()},
                )
            }
        )
    if not member.is_active_on(on):
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s is not active on %(day)s.",
                    code="inactive",
                    params={"name": member.name, "day": dates.day(on)},
                )
            }
        )
    move = QuadrantMove.objects.create(
        organization_id=member.organization_id,
        member=member,
        from_quadrant=member.quadrant,
        to_quadrant=to_quadrant,
        moved_on=on,
        moved_by=by,
    )
    member.quadrant = to_quadrant
    member.save(update_fields=["quadrant", "updated_at"])
    audit_record(
        by=by,
        action="moved",
        obj=member,
        before={"quadrant": move.from_quadrant},
        after={"quadrant": move.to_quadrant, "moved_on": on.isoformat()},
    )
    return move


@transaction.atomic
def team_add_person(
    *, team: Member, person: Member, by: AbstractBaseUser | None = None
) -> TeamMembership:
    """Seat an active person of the team's organization on the team."""
    if not team.is_team:
        raise ValidationError(
            "%(name)s is a person, not a team; only teams have people.",
            code="not_a_team",
            params={"name": team.name},
        )
    if person.organization_id != team.organization_id:
        raise ValidationError(
            {"person": ValidationError("That person is not in this organization.", code="foreign")}
        )
    if person.is_team:
        raise ValidationError(
            {
                "person": ValidationError(
                    "%(name)s is a team; only people sit on teams.",
                    code="not_a_person",
                    params={"name": person.name},
                )
            }
        )
    today = team.organization.today()
    if not person.is_active_on(today):
        raise ValidationError(
            {
                "person": ValidationError(
                    "%(name)s is not active today and cannot join a team.",
                    code="inactive",
                    params={"name": person.name},
                )
            }
        )
    if TeamMembership.objects.filter(team=team, person=person).exists():
        raise ValidationError(
            {
                "person": ValidationError(
                    "%(name)s already sits on %(team)s.",
                    code="already_on_team",
                    params={"name": person.name, "team": team.name},
                )
            }
        )
    seat = TeamMembership.objects.create(
        organization_id=team.organization_id, team=team, person=person
    )
    audit_record(by=by, action="added", obj=seat, after=snapshot(seat, ["team", "person"]))
    return seat


@transaction.atomic
def team_remove_person(*, team: Member, person: Member, by: AbstractBaseUser | None = None) -> None:
    """Take a person off a team."""
    seat = TeamMembership(organization_id=team.organization_id, team=team, person=person)
    deleted, _ = TeamMembership.objects.filter(team=team, person=person).delete()
    if not deleted:
        raise ValidationError(
            {
                "person": ValidationError(
                    "%(name)s does not sit on %(team)s.",
                    code="not_on_team",
                    params={"name": person.name, "team": team.name},
                )
            }
        )
    audit_record(by=by, action="removed", obj=seat, before=snapshot(seat, ["team", "person"]))


# --- logins ---------------------------------------------------------------------------------


@transaction.atomic
def login_end_everywhere(*, user: AbstractBaseUser, password: str) -> None:
    """End everything the user's login holds open, on every device.

    The same password with a new salt changes the hash that Django keeps in each session, so
    every session of the user ends on its next request, whatever the session store. Each of the
    user's logins counts the event, and what was issued to a login before it (a calendar
    feed's address) stops working.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    OrgMembership.objects.filter(user=user).update(logouts_everywhere=F("logouts_everywhere") + 1)


# --- the organization's settings: two-factor for admins, single sign-on -------------------------


@transaction.atomic
def organization_two_factor_set(
    *, organization: Organization, admins_use_two_factor: bool, by: AbstractBaseUser
) -> None:
    """Turn on or off "admins must use two-factor" (org.middleware.AdminsUseTwoFactorMiddleware)."""
    organization = Organization.lock(organization.pk)
    before = snapshot(organization, ["admins_use_two_factor"])
    organization.admins_use_two_factor = admins_use_two_factor
    organization.save(update_fields=["admins_use_two_factor"])
    audit_record(
        by=by,
        action="updated",
        obj=organization,
        before=before,
        after=snapshot(organization, ["admins_use_two_factor"]),
    )


@transaction.atomic
def organization_pulse_threshold_set(
    *, organization: Organization, pulse_min_raters: int, by: AbstractBaseUser
) -> None:
    """Set k, the fewest distinct raters a pulse or rating group needs to be shown."""
    organization = Organization.lock(organization.pk)
    before = snapshot(organization, ["pulse_min_raters"])
    organization.pulse_min_raters = pulse_min_raters
    organization.full_clean(validate_unique=False)
    organization.save(update_fields=["pulse_min_raters"])
    audit_record(
        by=by,
        action="updated",
        obj=organization,
        before=before,
        after=snapshot(organization, ["pulse_min_raters"]),
    )


SINGLE_SIGN_ON_AUDIT_FIELDS = ["issuer", "client_id", "enabled"]


@transaction.atomic
def single_sign_on_save(
    *,
    organization: Organization,
    issuer: str,
    client_id: str,
    client_secret: str,
    domains: list[str],
    enabled: bool,
    by: AbstractBaseUser,
) -> SingleSignOn:
    """Create or change the organization's identity provider and its email domains. An empty
    client secret keeps the one stored. A domain another organization has is refused."""
    Organization.lock(organization.pk)
    taken = (
        SingleSignOnDomain.objects.filter(domain__in=domains)
        .exclude(organization=organization)
        .values_list("domain", flat=True)
    )
    if taken:
        raise ValidationError(
            {"domains": f"Another organization signs on with {', '.join(sorted(taken))}."}
        )
    config = SingleSignOn.objects.filter(organization=organization).first()
    if config is None:
        config = SingleSignOn(organization=organization)
        before = None
    else:
        before = snapshot(config, SINGLE_SIGN_ON_AUDIT_FIELDS)
        before["domains"] = sorted(
            config.organization.single_sign_on_domains.values_list("domain", flat=True)
        )
        before["client_secret"] = "(kept)"
    if not client_secret and not config.client_secret:
        raise ValidationError({"client_secret": "Paste the client secret from the provider."})
    config.issuer = issuer.rstrip("/")
    config.client_id = client_id
    if client_secret:
        config.client_secret = client_secret
    config.enabled = enabled
    config.full_clean()
    config.save()
    SingleSignOnDomain.objects.filter(organization=organization).exclude(
        domain__in=domains
    ).delete()
    SingleSignOnDomain.objects.bulk_create(
        [SingleSignOnDomain(organization=organization, domain=d) for d in domains],
        ignore_conflicts=True,
    )
    after = snapshot(config, SINGLE_SIGN_ON_AUDIT_FIELDS)
    after["domains"] = sorted(domains)
    after["client_secret"] = "(changed)" if client_secret else "(kept)"
    audit_record(
        by=by, action="updated" if before else "created", obj=config, before=before, after=after
    )
    return config
