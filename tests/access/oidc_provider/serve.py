"""Run the tests' identity provider: `python -m tests.access.oidc_provider.serve PORT`.

Needs OIDC_PROVIDER_DIR (a fresh directory for its database), OIDC_PROVIDER_ISSUER
(http://127.0.0.1:PORT/o) and OIDC_PROVIDER_CLIENT (JSON: client_id, client_secret,
redirect_uri, and the people: [{username, password, email}]). Creates the database, the
people and one confidential application (authorization code, RS256 ID tokens, PKCE required),
then serves until killed.
"""

from __future__ import annotations

import json
import os
import sys

import django
from django.core.management import call_command


def main(port: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.access.oidc_provider.settings"
    # oauthlib refuses plain HTTP unless told: this provider only ever listens on 127.0.0.1.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    django.setup()
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    client = json.loads(os.environ["OIDC_PROVIDER_CLIENT"])
    call_command("migrate", verbosity=0)
    for person in client["people"]:
        get_user_model().objects.create_user(
            person["username"], email=person["email"], password=person["password"]
        )
    Application.objects.create(
        name="Partnership Map",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    call_command("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")


if __name__ == "__main__":
    main(sys.argv[1])
