"""Who has a login to the organization: invitations, roles, turning access off and on.

An admin invites a person of the organization (or many at once) by email. The link carries a
random key; the table keeps only its SHA-256, so a copy of the database holds no working link.
The link works once, for INVITATION_DAYS days; resending gives a new key (the old link dies),
revoking ends it. Accepting makes a login (or, for an address that already has one, adds this
organization to it) with the invitation's role, linked to the person.

Every write is keyword-only, atomic and audited in the same transaction (org/audit.py). The
mail goes out after the transaction, from `invitations_send`, so a mail server that does not
answer leaves the invitation in place to be resent.

An organization always keeps at least one admin whose access is on: demoting or turning off
its last one is refused, under a lock on the organization's row so that two admins demoting
each other at the same moment cannot both succeed.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from org import dates
from org.audit import audit_entry, audit_record, snapshot
from org.models import (
    AuditEntry,
    Invitation,
    Member,
    Organization,
    OrgMembership,
    Quadrant,
    Role,
)
from org.services import member_create

INVITATION_DAYS = 7
INVITATION_AUDIT_FIELDS = ["member", "email", "role", "expires_at"]
LOGIN_AUDIT_FIELDS = ["role", "member", "disabled_at"]


class LoginState:
    NONE = "none"
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"

    CHOICES = [
        (NONE, "No login"),
        (INVITED, "Invited"),
        (ACTIVE, "Active"),
        (DISABLED, "Turned off"),
    ]


# --- keys -------------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _new_key() -> tuple[str, str]:
    key = secrets.token_urlsafe(32)
    return key, key_hash(key)


def invitation_for_key(key: str) -> Invitation | None:
    """The invitation whose link carries this key (open or not), in any organization; None for
    a key nobody was sent."""
    return (
        Invitation.objects.select_related("organization", "member")
        .filter(key_hash=key_hash(key))
        .first()
    )


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=INVITATION_DAYS)


# --- reading ----------------------------------------------------------------------------------


def _logins_of_member(organization: Organization) -> QuerySet[OrgMembership]:
    return OrgMembership.objects.filter(organization=organization, member=OuterRef("pk"))


def people_with_access(
    organization: Organization, *, q: str = "", state: str = "", role: str = ""
) -> QuerySet[Member]:
    """The organization's active people (today, in its time zone), by name, filtered by a
    text in their name or email, by login state and by role (a login's, or for someone only
    invited, the invitation's)."""
    logins = _logins_of_member(organization)
    invitations = Invitation.objects.for_org(organization).open().filter(member=OuterRef("pk"))
    people = (
        Member.objects.for_org(organization)
        .filter(kind=Member.Kind.PERSON)
        .active_on(organization.today())
    )
    q = q.strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(email__icontains=q))
    has_login = Exists(logins)
    on = Exists(logins.filter(disabled_at__isnull=True))
    if state == LoginState.ACTIVE:
        people = people.filter(on)
    elif state == LoginState.DISABLED:
        people = people.filter(has_login & ~on)
    elif state == LoginState.INVITED:
        people = people.filter(~has_login & Exists(invitations))
    elif state == LoginState.NONE:
        people = people.filter(~has_login & ~Exists(invitations))
    if role:
        people = people.filter(
            Exists(logins.filter(role=role)) | (~has_login & Exists(invitations.filter(role=role)))
        )
    return people.order_by("name", "id")


def logins_without_person(organization: Organization, *, q: str = "", role: str = ""):
    """Logins of the organization not linked to any person (a first admin made in the Django
    admin, say), by username."""
    logins = OrgMembership.objects.filter(
        organization=organization, member__isnull=True
    ).select_related("user")
    q = q.strip()
    if q:
        logins = logins.filter(Q(user__username__icontains=q) | Q(user__email__icontains=q))
    if role:
        logins = logins.filter(role=role)
    return logins.order_by("user__username", "id")


@dataclass(frozen=True)
class Access:
    """A person's access: their login in the organization (if any), or their open invitation."""

    member: Member | None
    login: OrgMembership | None
    invitation: Invitation | None

    @property
    def state(self) -> str:
        if self.login is not None:
            return LoginState.DISABLED if self.login.is_disabled else LoginState.ACTIVE
        if self.invitation is not None:
            return LoginState.INVITED
        return LoginState.NONE

    @property
    def state_label(self) -> str:
        return dict(LoginState.CHOICES)[self.state]

    @property
    def role_label(self) -> str:
        if self.login is not None:
            return self.login.get_role_display()
        if self.invitation is not None:
            return self.invitation.get_role_display()
        return ""

    @property
    def last_login(self) -> datetime.datetime | None:
        return self.login.user.last_login if self.login is not None else None

    @property
    def invitation_expired(self) -> bool:
        return self.invitation is not None and self.invitation.is_expired()


def access_of(organization: Organization, people: Sequence[Member]) -> list[Access]:
    """The access of each of these people, in their order: two queries, however many."""
    ids = [person.pk for person in people]
    logins: dict[int, OrgMembership] = {}
    for login in (
        OrgMembership.objects.filter(organization=organization, member_id__in=ids)
        .select_related("user")
        .order_by(F("disabled_at").asc(nulls_first=True), "id")  # an active login first
    ):
        logins.setdefault(login.member_id, login)
    invitations = {
        invitation.member_id: invitation
        for invitation in Invitation.objects.for_org(organization).open().filter(member_id__in=ids)
    }
    return [Access(p, logins.get(p.pk), invitations.get(p.pk)) for p in people]


def access_of_person(organization: Organization, person: Member) -> Access:
    (access,) = access_of(organization, [person])
    return access


# --- inviting ---------------------------------------------------------------------------------


def _refuse_unless_invitable(member: Member) -> None:
    if member.kind != Member.Kind.PERSON:
        raise ValidationError("Only people get a login, not teams.", code="team")
    if not member.is_active_on(member.organization.today()):
        raise ValidationError(
            "%(name)s is archived: only active people get a login.",
            code="archived",
            params={"name": member.name},
        )
    if OrgMembership.objects.filter(organization_id=member.organization_id, member=member).exists():
        raise ValidationError(
            "%(name)s already has a login.", code="has_login", params={"name": member.name}
        )
    if Invitation.objects.for_org(member.organization).open().filter(member=member).exists():
        raise ValidationError(
            "%(name)s is already invited: resend or revoke that invitation instead.",
            code="already_invited",
            params={"name": member.name},
        )
    if not member.email:
        raise ValidationError(
            "%(name)s has no email address. Add one to their details first.",
            code="no_email",
            params={"name": member.name},
        )
    if _email_has_login_here(member.organization, member.email):
        raise ValidationError(
            "A login of this organization already uses %(email)s.",
            code="email_has_login",
            params={"email": member.email},
        )


def _email_has_login_here(organization: Organization, email: str) -> bool:
    return OrgMembership.objects.filter(
        organization=organization, user__email__iexact=email
    ).exists()


def _new_invitation(
    member: Member, role: str, by: AbstractBaseUser | None, now: datetime.datetime
) -> tuple[Invitation, str]:
    key, hashed = _new_key()
    invitation = Invitation(
        organization=member.organization,
        member=member,
        email=member.email,
        role=role,
        key_hash=hashed,
        invited_by=by if by is not None and by.is_authenticated else None,
        created_at=now,
        sent_at=now,
        expires_at=_expiry(now),
    )
    return invitation, key


@transaction.atomic
def invitation_create(
    *, member: Member, role: str, by: AbstractBaseUser | None = None
) -> tuple[Invitation, str]:
    """Invite one person with a role; returns the invitation and the key for its link."""
    if role not in Role.values:
        raise ValidationError("Choose one of the roles.", code="role")
    Organization.lock(member.organization_id)
    _refuse_unless_invitable(member)
    invitation, key = _new_invitation(member, role, by, timezone.now())
    invitation.full_clean()
    invitation.save()
    audit_record(
        by=by,
        action="invited",
        obj=invitation,
        after=snapshot(invitation, INVITATION_AUDIT_FIELDS),
        object_repr=member.name,
    )
    return invitation, key


@dataclass(frozen=True)
class ManyInvited:
    sent: list[tuple[Invitation, str]]
    without_email: list[Member]


def invitable_people(organization: Organization, quadrants: Iterable[str]) -> QuerySet[Member]:
    """Active people of these quadrants with neither a login nor an open invitation."""
    return (
        Member.objects.for_org(organization)
        .filter(kind=Member.Kind.PERSON, quadrant__in=list(quadrants))
        .active_on(organization.today())
        .filter(
            ~Exists(_logins_of_member(organization)),
            ~Exists(Invitation.objects.for_org(organization).open().filter(member=OuterRef("pk"))),
        )
        .order_by("name", "id")
    )


@transaction.atomic
def invitations_create_many(
    *,
    organization: Organization,
    quadrants: Iterable[str],
    role: str,
    by: AbstractBaseUser | None = None,
) -> ManyInvited:
    """Invite, with one role, every active person of the quadrants who has no login and no
    open invitation yet; people without an email address are left out (and listed)."""
    if role not in Role.values:
        raise ValidationError("Choose one of the roles.", code="role")
    Organization.lock(organization.pk)
    now = timezone.now()
    taken = {
        email.casefold()
        for email in OrgMembership.objects.filter(organization=organization).values_list(
            "user__email", flat=True
        )
        if email
    }
    sent, without_email = [], []
    for person in invitable_people(organization, quadrants):
        person.organization = organization  # the same row; spares a query per person
        if not person.email:
            without_email.append(person)
        elif person.email.casefold() not in taken:
            sent.append(_new_invitation(person, role, by, now))
    Invitation.objects.bulk_create([invitation for invitation, _ in sent], batch_size=500)
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                by=by,
                action="invited",
                obj=invitation,
                after=snapshot(invitation, INVITATION_AUDIT_FIELDS),
                object_repr=invitation.member.name,
                at=now,
            )
            for invitation, _ in sent
        ],
        batch_size=500,
    )
    return ManyInvited(sent=sent, without_email=without_email)


def _refuse_unless_open(invitation: Invitation, verb: str) -> None:
    if not invitation.is_open:
        raise ValidationError(
            "This invitation was already %(how)s; there is nothing to %(verb)s.",
            code="closed",
            params={
                "how": "accepted" if invitation.accepted_at else "revoked",
                "verb": verb,
            },
        )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: AbstractBaseUser | None = None) -> str:
    """A new key and seven more days; the old link stops working. Returns the new key."""
    current = Invitation.objects.select_for_update().get(
        organization_id=invitation.organization_id, pk=invitation.pk
    )
    _refuse_unless_open(current, "resend")
    before = snapshot(current, INVITATION_AUDIT_FIELDS)
    now = timezone.now()
    key, current.key_hash = _new_key()
    current.sent_at = now
    current.expires_at = _expiry(now)
    current.save(update_fields=["key_hash", "sent_at", "expires_at"])
    audit_entry(
        by=by,
        action="resent",
        obj=current,
        before=before,
        after=snapshot(current, INVITATION_AUDIT_FIELDS),
        object_repr=invitation.member.name,
    ).save()
    invitation.key_hash, invitation.sent_at, invitation.expires_at = (
        current.key_hash,
        current.sent_at,
        current.expires_at,
    )
    return key


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: AbstractBaseUser | None = None) -> None:
    """The link stops working; the person can be invited again."""
    current = Invitation.objects.select_for_update().get(
        organization_id=invitation.organization_id, pk=invitation.pk
    )
    _refuse_unless_open(current, "revoke")
    current.revoked_at = timezone.now()
    current.save(update_fields=["revoked_at"])
    audit_entry(
        by=by,
        action="revoked",
        obj=current,
        before=snapshot(invitation, INVITATION_AUDIT_FIELDS),
        object_repr=invitation.member.name,
    ).save()
    invitation.revoked_at = current.revoked_at


# --- the mail ----------------------------------------------------------------------------------


def invitation_message(invitation: Invitation, link: str) -> EmailMessage:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "link": link,
        "expires": dates.moment(
            timezone.localtime(invitation.expires_at, invitation.organization.tz)
        ),
        "days": INVITATION_DAYS,
    }
    subject = render_to_string("org/access/invitation_subject.txt", context)
    body = render_to_string("org/access/invitation_email.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[invitation.email])


def invitations_send(sent: Iterable[tuple[Invitation, str]], link_for: Callable[[str], str]) -> int:
    """Mail each invitation its link (link_for turns a key into the whole address), over one
    connection; returns how many were sent. A mail server's error goes to the caller."""
    messages = [invitation_message(invitation, link_for(key)) for invitation, key in sent]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


# --- accepting ---------------------------------------------------------------------------------


INVITATION_PROBLEMS = {
    "unknown": "This link is not one we sent, or it was changed on the way.",
    "accepted": "This invitation was already accepted.",
    "revoked": "This invitation was withdrawn.",
    "expired": "This invitation has expired.",
}


def invitation_problem(invitation: Invitation | None) -> str:
    """Why this link no longer works ("" when it does): unknown, accepted, revoked, expired."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.is_expired():
        return "expired"
    return ""


def users_with_email(email: str) -> QuerySet:
    return get_user_model().objects.filter(email__iexact=email)


def _username_for(email: str) -> str:
    """The new login's username: the email address (people log in with it either way), or a
    free variation of its first part when it is too long or taken."""
    users = get_user_model()
    field = users._meta.get_field(users.USERNAME_FIELD)
    candidate = email.lower()
    if (
        len(candidate) <= field.max_length
        and not users.objects.filter(**{f"{users.USERNAME_FIELD}__iexact": candidate}).exists()
    ):
        return candidate
    base = (slugify(email.split("@")[0]) or "person")[: field.max_length - 8]
    for n in range(2, 10_000):
        candidate = f"{base}-{n}"
        if not users.objects.filter(**{f"{users.USERNAME_FIELD}__iexact": candidate}).exists():
            return candidate
    return f"{base}-{secrets.token_hex(3)}"


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: AbstractBaseUser | None = None, password: str = ""
) -> OrgMembership:
    """Accept an open invitation: with a new login (password chosen now) when `user` is None,
    else for that existing login, whose email must be the invitation's. Adds the login to the
    organization with the invitation's role, linked to the person."""
    current = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member", "organization")
        .get(organization_id=invitation.organization_id, pk=invitation.pk)
    )
    problem = invitation_problem(current)
    if problem:
        raise ValidationError(INVITATION_PROBLEMS[problem], code=problem)
    if not current.member.is_active_on(current.organization.today()):
        raise ValidationError(
            "This invitation was for someone who is no longer in the organization's list of "
            "people. Ask one of its admins.",
            code="archived",
        )
    if user is None:
        if users_with_email(current.email).exists():
            raise ValidationError(
                "This address already has a login: log in with it to accept.", code="has_login"
            )
        user = get_user_model()(username=_username_for(current.email), email=current.email)
        user.set_password(password)
        user.save()
    elif (user.email or "").casefold() != current.email.casefold():
        raise ValidationError("This invitation is for another login.", code="other_login")
    if OrgMembership.objects.filter(user=user, organization_id=current.organization_id).exists():
        raise ValidationError(
            "You already have a login in this organization.", code="already_member"
        )
    login = OrgMembership.objects.create(
        user=user, organization_id=current.organization_id, role=current.role, member=current.member
    )
    now = timezone.now()
    current.accepted_at = now
    current.accepted_by = user
    current.save(update_fields=["accepted_at", "accepted_by"])
    audit_entry(
        by=user, action="accepted", obj=current, object_repr=current.member.name, at=now
    ).save()
    audit_entry(
        by=user,
        action="created",
        obj=login,
        after=snapshot(login, LOGIN_AUDIT_FIELDS),
        object_repr=current.member.name,
        at=now,
    ).save()
    return login


# --- roles and access ---------------------------------------------------------------------------


def login_name(login: OrgMembership) -> str:
    return login.member.name if login.member_id else login.user.get_username()


def _refuse_losing_the_last_admin(login: OrgMembership, what: str) -> None:
    """Refuse when this login is the organization's only admin with access on."""
    if login.role != Role.ADMIN or login.is_disabled:
        return
    others = (
        OrgMembership.objects.filter(
            organization_id=login.organization_id, role=Role.ADMIN, disabled_at__isnull=True
        )
        .exclude(pk=login.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            "%(name)s is the organization's only admin, so their access cannot be %(what)s. "
            "Make someone else an admin first.",
            code="last_admin",
            params={"name": login_name(login), "what": what},
        )


def _locked_login(login: OrgMembership) -> OrgMembership:
    Organization.lock(login.organization_id)
    return OrgMembership.objects.select_related("user", "member").get(pk=login.pk)


@transaction.atomic
def login_set_role(
    *, login: OrgMembership, role: str, by: AbstractBaseUser | None = None
) -> OrgMembership:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    current = _locked_login(login)
    if current.role == role:
        return current
    if role != Role.ADMIN:
        _refuse_losing_the_last_admin(current, "changed to another role")
    before = snapshot(current, LOGIN_AUDIT_FIELDS)
    current.role = role
    current.save(update_fields=["role"])
    audit_record(
        by=by,
        action="changed",
        obj=current,
        before=before,
        after=snapshot(current, LOGIN_AUDIT_FIELDS),
        object_repr=login_name(current),
    )
    return current


@transaction.atomic
def login_disable(*, login: OrgMembership, by: AbstractBaseUser | None = None) -> OrgMembership:
    """Turn the login's access to the organization off: each of its sessions is refused on its
    next request (org/middleware.py) and its calendar feed stops (as after logging out on every
    device). The person's other organizations are not touched."""
    current = _locked_login(login)
    if current.is_disabled:
        return current
    _refuse_losing_the_last_admin(current, "turned off")
    before = snapshot(current, LOGIN_AUDIT_FIELDS)
    current.disabled_at = timezone.now()
    current.logouts_everywhere = F("logouts_everywhere") + 1
    current.save(update_fields=["disabled_at", "logouts_everywhere"])
    current.refresh_from_db(fields=["logouts_everywhere"])
    audit_record(
        by=by,
        action="turned off",
        obj=current,
        before=before,
        after=snapshot(current, LOGIN_AUDIT_FIELDS),
        object_repr=login_name(current),
    )
    return current


@transaction.atomic
def login_enable(*, login: OrgMembership, by: AbstractBaseUser | None = None) -> OrgMembership:
    current = _locked_login(login)
    if not current.is_disabled:
        return current
    before = snapshot(current, LOGIN_AUDIT_FIELDS)
    current.disabled_at = None
    current.save(update_fields=["disabled_at"])
    audit_record(
        by=by,
        action="turned on",
        obj=current,
        before=before,
        after=snapshot(current, LOGIN_AUDIT_FIELDS),
        object_repr=login_name(current),
    )
    return current


# --- a new organization --------------------------------------------------------------------------


def _free_slug(name: str) -> str:
    base = (slugify(name) or "organization")[:50]
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(
    *, name: str, admin_email: str, admin_name: str = ""
) -> tuple[Organization, Invitation, str]:
    """A new organization with one person in its leadership, invited as its admin; returns
    the organization, the invitation and the key for its link."""
    name = name.strip()
    if not name:
        raise ValidationError("The organization needs a name.", code="name")
    organization = Organization(name=name, slug=_free_slug(name))
    organization.full_clean()
    organization.save()
    person = member_create(
        organization=organization,
        kind=Member.Kind.PERSON,
        quadrant=Quadrant.LEADERSHIP,
        name=(admin_name.strip() or admin_email.split("@")[0])[:200],
        email=admin_email,
    )
    invitation, key = invitation_create(member=person, role=Role.ADMIN)
    return organization, invitation, key
