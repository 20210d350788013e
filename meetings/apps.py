from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # The health page shows channels whose members miss sessions (issue 21): attendance
        # lives here, so meetings hands the finding to partnerships through its hook.
        from meetings.progress.buyin import weak_channels
        from partnerships.health.hooks import register_weak_channels

        register_weak_channels(weak_channels)
