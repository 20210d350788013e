"""What part of the organization a page looks at, as of which day, and for whom.

The diagram and the health analysis both start from a `Scope`: an organization on a day,
optionally one objective or one partnership, and, for roles that see only the partnerships
they belong to (managers and members), that membership. Its relationships are the ones the
page counts; its cache key names everything the answer depends on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from org.models import Member, Organization, OrgMembership
from partnerships.models import Objective, Partnership, Relationship, RelationshipQuerySet


@dataclass(frozen=True)
class Scope:
    organization: Organization
    day: datetime.date
    objective: Objective | None = None
    partnership: Partnership | None = None
    # Set for roles that see only the partnerships they belong to.
    limited_to: OrgMembership | None = None

    @classmethod
    def for_membership(
        cls,
        membership: OrgMembership,
        *,
        day: datetime.date | None = None,
        objective: Objective | None = None,
        partnership: Partnership | None = None,
    ) -> Scope:
        organization = membership.organization
        return cls(
            organization=organization,
            day=day or organization.today(),
            objective=objective,
            partnership=partnership,
            limited_to=None if membership.sees_whole_organization else membership,
        )

    @property
    def is_whole_organization(self) -> bool:
        return self.objective is None and self.partnership is None and self.limited_to is None

    def relationships(self) -> RelationshipQuerySet:
        """The relationships active on the day, inside the scope."""
        relationships = Relationship.objects.for_org(self.organization).active_on(self.day)
        if self.objective is not None:
            relationships = relationships.filter(partnership__objective=self.objective)
        if self.partnership is not None:
            relationships = relationships.filter(partnership=self.partnership)
        if self.limited_to is not None:
            visible = Partnership.objects.visible_to(self.limited_to).values("pk")
            relationships = relationships.filter(partnership__in=visible)
        return relationships

    def _involved(self) -> Q:
        relationships = self.relationships()
        return Q(pk__in=relationships.values("from_member")) | Q(
            pk__in=relationships.values("to_member")
        )

    def members(self):
        """Members active on the day; inside a narrower scope, those it has relationships for
        (what the diagram counts)."""
        members = Member.objects.for_org(self.organization).active_on(self.day)
        if self.is_whole_organization:
            return members
        return members.filter(self._involved())

    def analysed_members(self):
        """The members an analysis covers: every member at an end of one of the scope's
        relationships and, for the whole organization, every active member too, so that those
        nobody reaches show up."""
        involved = self._involved()
        if self.is_whole_organization:
            day = self.day
            involved |= Q(active_from__lte=day) & (
                Q(active_until__isnull=True) | Q(active_until__gt=day)
            )
        return Member.objects.for_org(self.organization).filter(involved)

    def cache_key(self, kind: str, version: str) -> str:
        """The key of what `kind` computes for the scope, under the organization's data
        version (what a limited role sees depends only on the member they are)."""
        objective = self.objective.pk if self.objective is not None else "all"
        partnership = self.partnership.pk if self.partnership is not None else "all"
        if self.limited_to is None:
            seen_by = "all"
        else:
            seen_by = f"member-{self.limited_to.member_id or 'none'}"
        return (
            f"{kind}:org-{self.organization.pk}:{version}:{self.day.isoformat()}:"
            f"objective-{objective}:partnership-{partnership}:{seen_by}"
        )
