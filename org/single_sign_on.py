"""Single sign-on per organization: who may come in through an organization's identity
provider, and the login they get.

The login page asks for an email; its domain names the organization (SingleSignOnDomain, one
organization per domain). The identity provider then says who the person is (the ID token's
email, checked in org/openid_connect.py). `may_enter` decides, in one place, whether that
email may enter that organization; `sign_on_login` links the login to the member by email.

Nobody signs themselves up: an email gets in only when the organization already knows it, as
an existing login of the organization, an open invitation, or a person's member record. The
provider may vouch only for emails in the organization's own domains, and a login that belongs
only to other organizations is never taken over by this organization's provider (an invitation
adds it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from org.audit import audit_record
from org.invitations import invitation_accept, invitation_problem
from org.models import (
    Invitation,
    Member,
    Organization,
    OrgMembership,
    Role,
    SingleSignOn,
    SingleSignOnDomain,
)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def single_sign_on_for_email(email: str) -> SingleSignOn | None:
    """The enabled single sign-on of the organization that owns the email's domain."""
    domain = email_domain(email)
    if not domain:
        return None
    # The domain's organization by subquery, not through a join of the organizations: on
    # Citus both tables are distributed by organization and a semi-join on that column stays
    # on each node ("a join that requires repartitioning" otherwise).
    owners = SingleSignOnDomain.objects.filter(domain=domain).values("organization_id")
    return (
        SingleSignOn.objects.filter(enabled=True, organization_id__in=owners)
        .select_related("organization")
        .first()
    )


@dataclass(frozen=True)
class Entry:
    """Why an email may enter an organization: the login it already has there, or the
    person's member record (a login is made for them on their first sign-in)."""

    organization: Organization
    email: str
    membership: OrgMembership | None = None
    member: Member | None = None
    invitation: Invitation | None = None


def may_enter(organization: Organization, email: str) -> Entry | None:
    """Whether this email, vouched for by the organization's identity provider, may enter the
    organization; None when it may not. The one place that decides.

    In order: a login of this organization with that email (refused when an admin turned
    its access off); else an open, unexpired invitation to that email (accepted on entry, with
    its role, even when the email has a login in another organization); else a person of the
    organization (a member record, active today) with that email, provided the email has no
    login yet that belongs only to other organizations.
    """
    email = email.strip()
    if not email or email_domain(email) not in organization_domains(organization):
        return None
    membership = (
        OrgMembership.objects.filter(
            organization=organization, user__email__iexact=email, user__is_active=True
        )
        .select_related("user", "member")
        .order_by("pk")
        .first()
    )
    if membership is not None:
        if membership.disabled_at is not None:
            return None  # an admin turned this person's access off
        return Entry(organization=organization, email=email, membership=membership)
    invitation = (
        Invitation.objects.for_org(organization)
        .open()
        .filter(email__iexact=email)
        .select_related("member")
        .order_by("-sent_at")
        .first()
    )
    if invitation is not None and not invitation_problem(invitation):
        if get_user_model().objects.filter(email__iexact=email, is_active=False).exists():
            return None
        return Entry(organization=organization, email=email, invitation=invitation)
    member = (
        Member.objects.for_org(organization)
        .active_on(organization.today())
        .filter(kind=Member.Kind.PERSON, email__iexact=email)
        .order_by("pk")
        .first()
    )
    if member is None:
        return None
    users = get_user_model().objects.filter(email__iexact=email)
    if (
        users.filter(is_active=False).exists()
        or users.filter(org_memberships__isnull=False).exists()
    ):
        return None  # a login elsewhere, or turned off: an invitation, not a provider, adds it
    return Entry(organization=organization, email=email, member=member)


def organization_domains(organization: Organization) -> set[str]:
    return set(
        SingleSignOnDomain.objects.filter(organization=organization).values_list(
            "domain", flat=True
        )
    )


def _new_username(email: str) -> str:
    User = get_user_model()
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


@transaction.atomic
def sign_on_login(*, entry: Entry) -> AbstractBaseUser:
    """The login for an email that may enter: the one the organization already has, or, on a
    person's first sign-in, a new login (with no password) linked to their member record,
    with the member role."""
    if entry.membership is not None:
        return entry.membership.user
    User = get_user_model()
    if entry.invitation is not None:
        user = User.objects.filter(email__iexact=entry.email).order_by("pk").first()
        if user is None:
            user = User(username=_new_username(entry.email), email=entry.invitation.email)
            user.set_unusable_password()
            user.save()
        return invitation_accept(invitation=entry.invitation, user=user).user
    member = entry.member
    user = User.objects.filter(email__iexact=entry.email, org_memberships__isnull=True).first()
    if user is None:
        user = User(username=_new_username(entry.email), email=entry.email.lower())
        user.set_unusable_password()
        user.save()
    membership = OrgMembership.objects.create(
        user=user, organization=entry.organization, role=Role.MEMBER, member=member
    )
    audit_record(
        by=user,
        action="created",
        obj=membership,
        object_type="login",
        object_repr=f"{user.get_username()} (single sign-on)",
        after={"role": membership.role, "member": member.name},
    )
    return user
