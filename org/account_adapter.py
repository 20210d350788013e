"""How django-allauth behaves here: nobody signs themselves up (people get a login from an
admin's invitation), and a wrong password reads as it always has."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "Please enter a correct username and password. Note "
        "that both fields may be case-sensitive.",
        "email_password_mismatch": "Please enter a correct username and password. Note that "
        "both fields may be case-sensitive.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
