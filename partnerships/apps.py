from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _lay_out_for_citus(sender, using="default", **kwargs) -> None:
    """Where the citus extension is present, distribute what `migrate` built (partnerships/
    citus.py); elsewhere one check of the database's vendor, nothing more."""
    from partnerships.citus import distribute

    distribute(using, verbosity=0)


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        post_migrate.connect(_lay_out_for_citus, sender=self, dispatch_uid="citus_layout")
