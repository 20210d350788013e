from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from jwcrypto import jwk

from tests.access.oidc_provider.settings import new_private_key_pem


def another_key(request):
    """The JWKS of a key the provider does not sign with, under the key id of the one it signs
    with: a client that trusted the key id without checking the signature would accept it."""
    signing_kid = jwk.JWK.from_pem(settings.SIGNING_KEY.encode()).thumbprint()
    key = jwk.JWK.from_pem(new_private_key_pem().encode())
    public = {**json.loads(key.export_public()), "alg": "RS256", "use": "sig", "kid": signing_kid}
    return HttpResponse(json.dumps({"keys": [public]}), content_type="application/json")


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
if settings.PUBLISH_ANOTHER_KEY:
    urlpatterns.insert(0, path("o/.well-known/jwks.json", another_key))
