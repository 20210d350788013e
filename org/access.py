"""Loaders that authorise: every tenant object is fetched through the user's organization."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from org.middleware import current_membership
from org.models import Member, OrgMembership


def require_membership(request: HttpRequest) -> OrgMembership:
    """The signed-in user's role in the current organization; 403 when they have none."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("You do not belong to any organization yet.")
    return membership


def require_admin(request: HttpRequest) -> OrgMembership:
    membership = require_membership(request)
    if not membership.can_edit_structure:
        raise PermissionDenied("Only the organization's admins can change its structure.")
    return membership


def get_member(request: HttpRequest, pk: int) -> Member:
    """A member of the current organization, or 404 (also for other organizations' members)."""
    membership = require_membership(request)
    return get_object_or_404(Member, organization=membership.organization, pk=pk)
