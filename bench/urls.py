"""The site's own URLs plus the benchmark's reference page. Only bench/run.py uses this
URLconf (it sets ROOT_URLCONF for its own process); the product never routes here."""

from django.urls import path

from bench.reference import reference
from partnerships.urls import urlpatterns as site

urlpatterns = [path("bench/reference/", reference, name="bench_reference"), *site]
