"""Running Django in a child process against the test database, as another server would."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import gunicorn
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def postgres_url(name=None):
    """A DATABASE_URL for the test database (or another database `name` on its server)."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/"
        f"{name or db['NAME']}"
    )


def django_env(*, media_root, database=None, url=None, extra=None):
    """The environment of a child process using `media_root` and the database at `url`, or
    `database` on the test's PostgreSQL server (the test database by default); `extra`
    adds settings (s3_env's, say)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outlook.settings",
        "DATABASE_URL": url or postgres_url(database),
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "test-only-secret",
        "PYTHONPATH": str(BASE_DIR),
        **(extra or {}),
    }


def run_python(
    code, *args, media_root, database=None, url=None, extra=None, check=True, timeout=300
):
    """Run `code` (Python that calls django.setup() itself) in a child process; see
    django_env for the database and `extra`."""
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=BASE_DIR,
        env=django_env(media_root=media_root, database=database, url=url, extra=extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def manage(*args, media_root, database=None, url=None, extra=None, check=True, timeout=300):
    """Run `manage.py ARGS` in a child process."""
    return run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', *sys.argv[1:]])",
        *args,
        media_root=media_root,
        database=database,
        url=url,
        extra=extra,
        check=check,
        timeout=timeout,
    )


# --- Servers as processes ------------------------------------------------------------


def free_port():
    """A TCP port nobody listens on now (the OS picks it), for a server to bind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# From gunicorn 25.1 a server opens a control socket, at one path per user by default,
# which two servers would share: none here.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (25, 1) else []


class Processes:
    """Child processes a test starts (servers, workers), each logging to a file of its own.

    `stop()` ends them all, and is safe to call whatever happened; `logs()` is what they
    wrote, for the report of a failed test.
    """

    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.started = []  # (name, Popen, log path)

    def start(self, name, *command, env):
        """Start `command` in its own process group, its output into the log `name`."""
        log = self.log_dir / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(part) for part in command],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so that stop() ends its children too
            )
        self.started.append((name, process, log))
        return process

    def manage(self, name, *args, env):
        """Start `manage.py ARGS` (a worker, say) as a process with the environment `env`."""
        return self.start(name, sys.executable, BASE_DIR / "manage.py", *args, env=env)

    def gunicorn(self, name, port, *, env, workers=2):
        """Start the site under gunicorn on 127.0.0.1:`port`, as production runs it."""
        return self.start(
            name,
            sys.executable,
            "-m",
            "gunicorn",
            "outlook.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--access-logfile=-",
            *_NO_CONTROL_SOCKET,
            env=env,
        )

    def wait_for_port(self, process, port, timeout=30):
        """Wait until `process` accepts connections on `port`; fail at once if it died."""
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"{process.args} exited with {process.returncode}:\n{self.logs()}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port} after {timeout} s")
            time.sleep(0.1)

    def stop(self):
        """End every process started (SIGTERM, then SIGKILL after a grace period)."""
        for _name, process, _log in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _name, process, _log in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self):
        return "\n".join(
            f"--- {name} (exit {process.returncode}) ---\n"
            + log.read_text(errors="replace")[-20_000:]
            for name, process, log in self.started
        )


def s3_env(endpoint, bucket):
    """The settings (environment) of a site storing its files in `bucket` at `endpoint`."""
    return {
        "STORAGE_BUCKET": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        # moto accepts any credentials; these keep boto3 from looking for real ones.
        "AWS_ACCESS_KEY_ID": "test-only",
        "AWS_SECRET_ACCESS_KEY": "test-only",
    }
