"""Run every benchmark (make bench); BENCH_ARGS are given to this script.

    make bench                                   # everything, the issue's full scale
    make bench BENCH_ARGS="--only scale"         # just the scale part (benchmarks/scale.py)
    make bench BENCH_ARGS="--only scale --regions 2 --editions-per-region 12"   # small
    make bench BENCH_ARGS="--only public,checks" # the 40-country page and PDF, the checks

The scale part runs first, in a child process, on a database of its own
(bench_scale, on the same throwaway server), so that public.py measures what it always
has on an empty one. Every argument but --only goes to scale.py (see its --help).
"""

import os
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
PARTS = ("scale", "public", "caching", "checks")


def scale_database():
    """DATABASE_URL of a new database beside the one of DATABASE_URL."""
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS bench_scale")
        connection.execute("CREATE DATABASE bench_scale")
    return urlunsplit(url._replace(path="/bench_scale"))


def main(argv):
    only = set(PARTS)
    if "--only" in argv:
        index = argv.index("--only")
        only = set(argv[index + 1].split(","))
        argv = argv[:index] + argv[index + 2 :]
        if only - set(PARTS):
            raise SystemExit(f"--only takes {','.join(PARTS)}")
    status = 0
    if "scale" in only:
        print("== benchmarks/scale.py", flush=True)
        env = {**os.environ, "DATABASE_URL": scale_database()}
        status = subprocess.run([sys.executable, str(HERE / "scale.py"), *argv], env=env).returncode
    for script in ("public", "caching", "checks"):
        if script in only:
            print(f"== benchmarks/{script}.py", flush=True)
            sys.argv = [str(HERE / f"{script}.py")]
            runpy.run_path(str(HERE / f"{script}.py"), run_name="__main__")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
