from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class EmailClaims(OAuth2Validator):
    """Puts the person's email and name in the ID token, as identity providers do for the
    email and profile scopes."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email": "email", "name": "profile"}

    def get_additional_claims(self, request):
        return {
            "email": request.user.email,
            "email_verified": True,
            "name": request.user.get_full_name() or request.user.get_username(),
        }
