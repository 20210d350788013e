"""Undo after a removal: the success message carries a button that puts the thing back.

The message names the audit entry of the removal; the button posts to the app's restore view,
which reads the entry inside the signed-in user's organization only (another organization's
entry is a 404), checks again that the user may make that change, and restores from the
values the entry kept. `templates/base.html` draws the button.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from org.models import AuditEntry, OrgMembership

# The marker a message's extra tags start with when it offers Undo; the restore URL follows.
UNDO = "undo:"


def offer_undo(request: HttpRequest, text: str, restore_url: str) -> None:
    """A success message with an Undo button posting to `restore_url`."""
    messages.success(request, text, extra_tags=f"{UNDO}{restore_url}")


def removal_entry(membership: OrgMembership, pk: int, object_types: Iterable[str]) -> AuditEntry:
    """The audit entry of a removal in the user's organization, of one of these kinds; 404
    for anything else (another organization's entry, an entry that is not a removal)."""
    return get_object_or_404(
        AuditEntry.objects.for_org(membership.organization),
        pk=pk,
        action="removed",
        object_type__in=list(object_types),
    )


def kept_id(entry: AuditEntry, field: str) -> int | None:
    """The id of the related object a removal entry kept for `field`, if any."""
    value = (entry.changes.get(field) or [None])[0]
    return value.get("id") if isinstance(value, dict) else None
