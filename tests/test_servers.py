"""Several app servers on one database and one bucket: what one publishes, the other serves.

Two gunicorn servers (as production runs the site) on free ports, both on the test's
PostgreSQL database and on one bucket of a real S3-compatible server (moto's, started
by the suite), with no local files. The editor publishes through the first, over HTTP
as a browser would; the second must then serve the same pages, ETags and PDFs.

The test is transactional: the servers are other processes and see committed data only.
Another process (a worker of a job queue, say) is one line: `processes.manage(...)`.
"""

import re
import sys
import time

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from .conftest import s3_client
from .processes import Processes, django_env, free_port, s3_env
from .second_factor import authenticator, current_code
from .test_workflow import approve_all

pytestmark = [
    pytest.mark.servers,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "editor-test-pass-123"
# The site's name, which the CDN or load balancer in front sends to every server; the
# feed's links are made from it.
HOST = {"Host": "outlook.example.org"}


@pytest.fixture
def processes(tmp_path):
    """Processes the test starts, all ended at its end; their logs shown if it fails."""
    started = Processes(tmp_path / "logs")
    try:
        yield started
    finally:
        started.stop()
        # Printed always, shown by pytest only for a failed test.
        print(started.logs(), file=sys.stderr)


def difference(one, other):
    """Where two bodies part, with some context, for the report of a failure."""
    pairs = enumerate(zip(one, other, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(one), len(other)))
    return one[max(at - 200, 0) : at + 200], other[max(at - 200, 0) : at + 200]


def session():
    """An HTTP client session straight to the servers (no proxy from the environment)."""
    client = requests.Session()
    client.trust_env = False
    return client


class Site:
    """One app server, as a reader or an editor reaches it over HTTP."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"
        self.reader = session()

    def get(self, path, **headers):
        """A reader's GET, under the site's one name, as the CDN in front asks each server."""
        return self.reader.get(
            self.url + path, headers={**HOST, **headers}, timeout=60, allow_redirects=False
        )

    def sign_in(self, username, password, device):
        """A session signed in through the sign-in form, with its CSRF cookie, and then
        the code step with the code of `device`, the user's authenticator."""
        editor = session()
        editor.get(self.url + "/accounts/login/", timeout=30).raise_for_status()
        answer = editor.post(
            self.url + "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": editor.cookies["csrftoken"],
            },
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text
        assert answer.headers["Location"].startswith("/accounts/two-factor/code/")
        answer = editor.post(
            self.url + answer.headers["Location"],
            data={"code": current_code(device), "csrfmiddlewaretoken": editor.cookies["csrftoken"]},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text
        return editor

    def post(self, session, path):
        """A form's POST, with the CSRF token the session holds (rotated at sign-in)."""
        return session.post(
            self.url + path,
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=120,
        )

    def wait_for(self, path, status=200, timeout=60):
        """The answer to `path` once it is `status`: publication may finish after the
        editor's request (a background job), so poll rather than assume it is done."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(path)
            if response.status_code == status or time.monotonic() > deadline:
                assert response.status_code == status, (path, response.status_code)
                return response
            time.sleep(0.2)


def test_what_one_app_server_publishes_the_other_serves_at_once(
    processes, tmp_path, s3_server, s3_bucket, edition, erin, alice, bob
):
    approve_all(edition, alice, bob)
    # The servers hash passwords with the production hashers, not the suite's fast one.
    erin.password = PBKDF2PasswordHasher().encode(PASSWORD, "servers-test-salt", iterations=1000)
    erin.save(update_fields=["password"])

    media = tmp_path / "media"  # where files would go if the servers did not use S3
    media.mkdir()
    env = {
        **django_env(media_root=media),
        **s3_env(s3_server, s3_bucket),
        # The site's settings, static files aside (collectstatic takes longer than the test).
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "ALLOWED_HOSTS": "127.0.0.1,outlook.example.org",
        "SECURE_COOKIES": "0",  # plain http here, so cookies without the Secure flag
        "DEBUG": "0",
    }
    ports = free_port(), free_port()
    # One worker each: the point is two servers, and each worker warms up on its own.
    servers = [processes.gunicorn(f"gunicorn-{port}", port, env=env, workers=1) for port in ports]
    for server, port in zip(servers, ports, strict=True):
        processes.wait_for_port(server, port)
    # A worker of the job queue: it carries out the publication the first server queues.
    processes.manage(
        "worker",
        "worker",
        "--queue-name=*",
        "--interval=0.2",
        "--no-startup-delay",
        "--no-reload",
        env=env,
    )
    first, second = (Site(port) for port in ports)

    # The editor publishes through the first server, as the browser would.
    editor = first.sign_in(erin.username, PASSWORD, authenticator(erin))
    answer = first.post(editor, f"/editor/outlooks/{edition.pk}/publish/")
    assert answer.status_code == 200, answer.status_code
    said = re.findall(r'<div class="alert[^"]*" role="status">(.*?)</div>', answer.text)
    assert f"Publication of {edition.full_title} queued: this page shows its progress." in said, (
        said
    )

    # The second server serves it, then every public view of it as the first does.
    second.wait_for(f"/outlooks/{edition.slug}/")
    slug = edition.slug
    paths = [
        "/",
        f"/outlooks/{slug}/",
        "/countries/kp/",
        "/feed/",
        f"/outlooks/{slug}.json",
        f"/outlooks/{slug}.pdf",
        # Rendered by the worker and stored in the bucket: both serve the same bytes.
        f"/outlooks/{slug}/kp.pdf",
    ]
    for path in paths:
        there = second.get(path)
        here = first.get(path)
        assert there.status_code == here.status_code == 200, path
        assert there.content == here.content, (path, difference(there.content, here.content))
        if "ETag" in here.headers or "ETag" in there.headers:
            assert there.headers.get("ETag") == here.headers.get("ETag"), path
            # What a cache got from one server, the other confirms unchanged.
            again = second.get(path, **{"If-None-Match": here.headers["ETag"]})
            assert again.status_code == 304, path
    for path in (f"/outlooks/{slug}.pdf", f"/outlooks/{slug}/kp.pdf"):
        assert second.get(path).content.startswith(b"%PDF"), path

    # Every stored file is in the bucket, under its final name; none on the servers' disks.
    listed = s3_client(s3_server).list_objects_v2(Bucket=s3_bucket).get("Contents", [])
    names = sorted(entry["Key"] for entry in listed)
    # The edition's PDF and KP's (the worker renders both), and the open data.
    pdfs = [name for name in names if name.endswith(".pdf")]
    assert len(pdfs) == 2 and all(name.startswith(f"pdf/{slug}/") for name in pdfs), names
    assert not any(name.startswith("pending/") for name in names), names
    assert list(media.rglob("*")) == []
