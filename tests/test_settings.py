"""Settings come from environment variables; bad values are refused by name.

Settings are read once per process, so each case imports them in a fresh Python process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-tests-only-9f8a7d6c5b4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4",
    "ALLOWED_HOSTS": "example.com",
}
# Variables the surrounding shell (or CI) may set that would leak into the cases below.
SETTINGS_VARIABLES = [
    "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "TIME_ZONE",
    "EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS", "EMAIL_USE_SSL", "DEFAULT_FROM_EMAIL", "REDIS_URL", "DB_CONN_MAX_AGE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "STATIC_ROOT",
    "LOG_LEVEL", "DJANGO_SETTINGS_MODULE",
    "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "LOGIN_FAILURES_PER_USERNAME",
    "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_LOCKOUT_MINUTES", "CLIENT_ADDRESS_HEADER",
    "MFA_TOTP_ISSUER", "SINGLE_SIGN_ON_TIMEOUT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; the deploy check refuses it
]  # fmt: skip

SHOW_SETTINGS = """
import json, partnerships.settings as s
print(json.dumps({name: getattr(s, name, None) for name in %r}, default=str))
"""


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_with(names: list[str], **env: str) -> dict:
    result = python(SHOW_SETTINGS % names, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"EMAIL_PORT": "abc"}, "EMAIL_PORT"),
        ({"EMAIL_PORT": "0"}, "EMAIL_PORT"),
        ({"DATABASE_URL": "mysql://root@localhost/partnerships"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost:port/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost/db", "DB_CONN_MAX_AGE": "-5"}, "DB_CONN_MAX_AGE"),
        ({"TIME_ZONE": "Mars/Base"}, "TIME_ZONE"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY"),
        ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS"),
        ({"EMAIL_USE_TLS": "sometimes"}, "EMAIL_USE_TLS"),
        ({**PRODUCTION, "SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS"),
        ({**PRODUCTION, "SECURE_SSL_REDIRECT": "perhaps"}, "SECURE_SSL_REDIRECT"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"SESSION_COOKIE_AGE": "a fortnight"}, "SESSION_COOKIE_AGE"),
        ({"SESSION_COOKIE_AGE": "10"}, "SESSION_COOKIE_AGE"),
        ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": "maybe"}, "SESSION_EXPIRE_AT_BROWSER_CLOSE"),
        ({"LOGIN_FAILURES_PER_USERNAME": "0"}, "LOGIN_FAILURES_PER_USERNAME"),
        ({"LOGIN_FAILURES_PER_ADDRESS": "many"}, "LOGIN_FAILURES_PER_ADDRESS"),
        ({"LOGIN_LOCKOUT_MINUTES": "0"}, "LOGIN_LOCKOUT_MINUTES"),
        ({"SINGLE_SIGN_ON_TIMEOUT": "soon"}, "SINGLE_SIGN_ON_TIMEOUT"),
    ],
)
def test_it_refuses_a_bad_value_by_name(env, variable):
    result = python("import partnerships.settings", **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert variable in last_line


def test_its_local_defaults_need_no_variables():
    values = settings_with(["DEBUG", "DATABASES", "ALLOWED_HOSTS", "TIME_ZONE", "CACHES"])
    assert values["DEBUG"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"] == str(BASE_DIR / "var" / "db.sqlite3")
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    assert values["TIME_ZONE"] == "UTC"
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_it_reads_a_postgres_url():
    values = settings_with(
        ["DATABASES"],
        DATABASE_URL="postgres://app:p%40ss@db.internal:6432/partnerships?sslmode=require",
        DB_CONN_MAX_AGE="0",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "partnerships",
        "app",
        "p@ss",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", "6432")
    assert database["OPTIONS"] == {"sslmode": "require"}
    assert database["CONN_MAX_AGE"] == 0


def test_production_turns_on_secure_cookies_hsts_and_the_proxy_header():
    values = settings_with(
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_PROXY_SSL_HEADER",
            "ALLOWED_HOSTS",
            "CACHES",
        ],  # fmt: skip
        **PRODUCTION,
        SECURE_PROXY_SSL_HEADER="1",
        REDIS_URL="redis://cache:6379/0",
    )
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["example.com"]
    assert values["CACHES"]["default"]["LOCATION"] == "redis://cache:6379/0"


def test_sessions_and_the_login_throttle_follow_the_environment():
    names = [
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "LOGIN_FAILURES_PER_USERNAME",
        "LOGIN_FAILURES_PER_ADDRESS",
        "LOGIN_LOCKOUT_MINUTES",
        "CLIENT_ADDRESS_HEADER",
    ]
    assert settings_with(names) == {
        "SESSION_COOKIE_AGE": 14 * 24 * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
        "LOGIN_FAILURES_PER_USERNAME": 5,
        "LOGIN_FAILURES_PER_ADDRESS": 20,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "CLIENT_ADDRESS_HEADER": "",
    }
    assert settings_with(
        names,
        SESSION_COOKIE_AGE="28800",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
        LOGIN_FAILURES_PER_USERNAME="3",
        LOGIN_FAILURES_PER_ADDRESS="50",
        LOGIN_LOCKOUT_MINUTES="60",
        CLIENT_ADDRESS_HEADER="X-Forwarded-For",
    ) == {
        "SESSION_COOKIE_AGE": 28800,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "LOGIN_FAILURES_PER_USERNAME": 3,
        "LOGIN_FAILURES_PER_ADDRESS": 50,
        "LOGIN_LOCKOUT_MINUTES": 60,
        "CLIENT_ADDRESS_HEADER": "X-Forwarded-For",
    }


# Production as deployed behind a TLS-terminating proxy, on PostgreSQL and Redis.
BEHIND_A_PROXY = {
    **PRODUCTION,
    "ALLOWED_HOSTS": "partnerships.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://partnerships.example.com",
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/partnerships?sslmode=require",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SECURE_PROXY_SSL_HEADER": "1",
    "CLIENT_ADDRESS_HEADER": "X-Forwarded-For",
    "SESSION_COOKIE_AGE": "28800",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_USE_TLS": "1",
    "STATIC_ROOT": "/srv/partnerships/static",
}


@pytest.mark.parametrize("env", [PRODUCTION, BEHIND_A_PROXY], ids=["minimal", "behind-a-proxy"])
def test_the_deploy_check_passes_with_production_variables(env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("url", ["/login/", "/org/members/"])
def test_every_page_sends_a_strict_content_security_policy(client, member_membership, url):
    client.force_login(member_membership.user)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "database": "OperationalError"}
    assert "no-cache" in response["Cache-Control"]
    assert client.get("/healthz").status_code == 200
