"""A real OpenID Connect identity provider for the single sign-on tests: a second Django
project (django-oauth-toolkit with OIDC on), run by `serve.py` in its own process with its
own SQLite file and a freshly generated RSA key. Not part of the product."""
