"""A leader's progress: the 13-action checklist, satisfaction scores, objective measurements,
the pulse and the success log (models in meetings/models.py); their reads (selectors.py),
writes (services.py), forms, pages (views.py) and the dashboard's SVG charts (charts.py)."""
