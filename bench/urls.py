"""The site's own URLs plus the benchmark's reference page and bare page. Only bench/run.py
uses this URLconf (it sets ROOT_URLCONF for its own process); the product never routes here."""

from django.urls import path

from bench.reference import bare, reference
from partnerships.urls import urlpatterns as site

urlpatterns = [
    path("bench/reference/", reference, name="bench_reference"),
    path("bench/bare/", bare, name="bench_bare"),
    *site,
]
