"""Writes that are safe to retry: a form carries a one-time key, and a key stores once.

A form that adds something renders `{% once_field %}`: a hidden field with a fresh random key.
The view wraps its write in `once.write(...)`; the first post with a key claims it inside the
write's own transaction, so the claim and the write commit or vanish together. A later post
with the same key (a double click, a browser or proxy retrying after the answer was lost, a
client retrying a 503 that came after the commit) finds the claim and is answered as the
first post was, storing nothing:

    with once.write(request, organization, "log:success") as write:
        if not write.repeated:
            item = services.add_success(...)
            write.stored(item)
    # either way: answer as after a successful add

A post without a key (an old page, a script) writes as before. Two posts racing with the same
key serialize on the key's unique constraint: the second waits for the first transaction and
then sees its claim (or claims the key itself if the first rolled back).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from org.models import Organization, WriteKey

FIELD = "once"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP_FOR = datetime.timedelta(days=7)  # long enough for any retry; `prune` forgets older keys


def new_key() -> str:
    return secrets.token_urlsafe(18)


def key_of(request: HttpRequest) -> str | None:
    """The post's one-time key, or None when it carries none (or not a key of ours)."""
    value = request.POST.get(FIELD, "")
    return value if _KEY.fullmatch(value) else None


@dataclass
class Write:
    """One write under a key: `repeated` when the key was used before (nothing to store)."""

    repeated: bool
    object_id: int | None = None
    _claim: WriteKey | None = field(default=None, repr=False)

    def stored(self, obj: Model | None) -> None:
        """Remember what the first write stored (its id), for a repeat's answer."""
        if self._claim is not None and obj is not None:
            self._claim.object_id = obj.pk
            self._claim.save(update_fields=["object_id"])
        self.object_id = obj.pk if obj is not None else None


@contextmanager
def write(request: HttpRequest, organization: Organization, purpose: str) -> Iterator[Write]:
    """A transaction holding the key's claim and the write; see the module's docstring."""
    key = key_of(request)
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        yield _claim(organization, key, purpose, user)


def _claim(organization: Organization, key: str | None, purpose: str, user) -> Write:
    if key is None:
        return Write(repeated=False)
    try:
        with transaction.atomic():  # a savepoint: a used key must not break the outer transaction
            claim = WriteKey.objects.create(
                organization=organization, key=key, purpose=purpose, user=user
            )
    except IntegrityError:
        earlier = WriteKey.objects.filter(organization=organization, key=key).first()
        return Write(repeated=True, object_id=earlier.object_id if earlier else None)
    return Write(repeated=False, _claim=claim)


def prune(now: datetime.datetime | None = None) -> int:
    """Forget keys older than KEEP_FOR (safe from cron); returns how many."""
    before = (now or timezone.now()) - KEEP_FOR
    deleted, _ = WriteKey.objects.filter(created_at__lt=before).delete()
    return deleted
