"""The demo organizations (Northwind Freight and Riverbend Analytics) and their logins, built
from a fixed seed for `make run` and the tests: people and teams, partnerships, sessions and
progress. It stands above every app, since it fills all of them."""
