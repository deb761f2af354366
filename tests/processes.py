"""Running Django in a child process against the test database, as another server would."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

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


def django_env(*, media_root, database=None, url=None, env=None):
    """The environment of a child process using `media_root` and the database at `url`, or
    `database` on the test's PostgreSQL server (the test database by default), and `env`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outlook.settings",
        "DATABASE_URL": url or postgres_url(database),
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "test-only-secret",
        "PYTHONPATH": str(BASE_DIR),
        **(env or {}),
    }


def run_python(code, *args, media_root, database=None, url=None, env=None, check=True, timeout=300):
    """Run `code` (Python that calls django.setup() itself) in a child process; see
    django_env for the database."""
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=BASE_DIR,
        env=django_env(media_root=media_root, database=database, url=url, env=env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def manage(*args, media_root, database=None, url=None, env=None, check=True, timeout=300):
    """Run `manage.py ARGS` in a child process."""
    return run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', *sys.argv[1:]])",
        *args,
        media_root=media_root,
        database=database,
        url=url,
        env=env,
        check=check,
        timeout=timeout,
    )
