"""Settings of the tests' identity provider (see serve.py). Read from environment variables
that serve.py sets: OIDC_PROVIDER_DIR (its SQLite file lives there) and OIDC_PROVIDER_ISSUER."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


HERE = Path(__file__).resolve().parent
WORKDIR = Path(os.environ["OIDC_PROVIDER_DIR"])

DEBUG = False
SECRET_KEY = "the-tests-identity-provider-only-" + "x" * 32
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.access.oidc_provider.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": WORKDIR / "idp.sqlite3"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "/accounts/login/"

# The key that signs ID tokens, made when the provider starts.
SIGNING_KEY = new_private_key_pem()
# For the test of a forged token: the provider publishes another key than the one it signs
# with, as a token signed by anyone but the issuer would look.
PUBLISH_ANOTHER_KEY = os.environ.get("OIDC_PROVIDER_PUBLISH_ANOTHER_KEY") == "1"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": os.environ["OIDC_PROVIDER_ISSUER"],
    "OIDC_RSA_PRIVATE_KEY": SIGNING_KEY,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "tests.access.oidc_provider.validator.EmailClaims",
    "SCOPES": {
        "openid": "Who you are",
        "email": "Your email address",
        "profile": "Your name",
    },
}
