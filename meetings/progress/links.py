"""The signed pulse link: for people without a login, the reminder mail carries a link that
lets one person give their pulse at one session, once.

The link's token is signed with the project's secret (django.core.signing) and names the
organization, the session and the person: an altered token fails its signature, and a token
for another session or person is another token. It works once: giving the pulse records
`PulseGiven` for the person and session, after which the link (and the person's login) only
says thank you. It expires after `MAX_AGE`.
"""

from __future__ import annotations

import datetime

from django.core import signing

from meetings.models import Session
from org.models import Member

SALT = "meetings.pulse-link"
MAX_AGE = datetime.timedelta(days=120)  # a quarter and then some


def pulse_link_token(session: Session, member: Member) -> str:
    return signing.dumps(
        {"o": session.organization_id, "s": session.pk, "m": member.pk}, salt=SALT, compress=True
    )


def pulse_link_path(session: Session, member: Member) -> str:
    return f"/meetings/pulse/{pulse_link_token(session, member)}/"


def pulse_link_target(token: str) -> tuple[Session, Member] | None:
    """The session and person a token was signed for, or None when it is altered, expired or
    names what no longer exists (two queries)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "osm"):
        return None
    session = (
        Session.objects.filter(organization_id=data["o"], pk=data["s"])
        .select_related("organization", "partnership")
        .first()
    )
    member = Member.objects.filter(organization_id=data["o"], pk=data["m"]).first()
    if session is None or member is None:
        return None
    return session, member
