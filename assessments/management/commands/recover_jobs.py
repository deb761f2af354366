"""`manage.py recover_jobs`: start again the publications (and the subscriber mail) whose
worker died, once.

Every `manage.py worker` does this when it starts and periodically; this command is for
an operator, or a cron job where workers are run otherwise (assessments.jobs.recover).
"""

from django.core.management.base import BaseCommand

from assessments import announcements, jobs


class Command(BaseCommand):
    help = "Start again the publication jobs whose worker died or whose task was lost."

    def handle(self, *args, **options):
        recovered = jobs.recover()
        for job in recovered:
            self.stdout.write(f"Job {job.pk} ({job.outlook}): {job.get_state_display()}")
        self.stdout.write(f"{len(recovered)} job(s) recovered.")
        announced = announcements.recover()
        self.stdout.write(f"{len(announced)} announcement(s) to subscribers queued again.")
