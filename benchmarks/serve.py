"""Pages served by gunicorn under load, each against a trivial view, in one run.

The load tool is wrk (Debian package `wrk`): one small C process that keeps a fixed
number of connections busy and reports latency percentiles through a Lua hook, so the
client costs little of the two cores the server has, and the figures are those the
issue's first measurements were taken with. It is installed here when missing on
Debian as root; elsewhere the script says so and stops.

The server is what production runs: gunicorn with 2 sync workers, DEBUG off, a 64-character
SECRET_KEY, ALLOWED_HOSTS, static files collected (to a temporary STATIC_ROOT, served by
whitenoise), against the database of DATABASE_URL. Each page is loaded right after the
trivial view (/health/) and the trivial view once more after the last page (trivial,
page, trivial, page, ..., trivial): a page's ratio is its requests/s over the mean of
the trivial runs just before and after it, so a machine that gets busier or quieter
during the run shifts both alike. Per page: requests/s, ratio, p50 and p95 latency,
the gunicorn workers' CPU time per request (/proc/<pid>/stat before and after), their
peak resident memory during the load (sampled every 0.1 s), and the bytes of one
response with `Accept-Encoding: gzip, br` (what the load sends, as browsers do) and
without. Headers the site may not send yet (ETag, Content-Encoding) print as "-".
"""

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TRIVIAL = "/health/"
COMPRESSED = {"Accept-Encoding": "gzip, br"}
TICKS = os.sysconf("SC_CLK_TCK")

LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d p50=%d p95=%d status_errors=%d " ..
    "connect_errors=%d read_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.timeout))
end
"""


@dataclass
class Probe:
    """One request's answer: status, size as sent, and the headers that matter here."""

    status: int
    size: int
    seconds: float
    headers: dict = field(default_factory=dict)


@dataclass
class Load:
    """One wrk run of a URL, and what the workers spent on it."""

    requests: int = 0
    rate: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    errors: int = 0
    cpu_ms: float | None = None
    peak_rss_mb: float | None = None


def ensure_wrk():
    """The path of wrk, installed with apt-get on Debian as root if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk, the load tool of the benchmark (once)...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-upgrade", "--no-install-recommends", "wrk"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "The benchmark loads the server with wrk: install it (Debian: apt-get install wrk)."
        )
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_environment(static_root, media_root):
    """The environment of a production-like server (the database is DATABASE_URL's)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        SECRET_KEY=os.environ.get("SECRET_KEY")
        or "bench-only-secret-not-for-any-deployment-0123456789abcdefghij",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


class Server:
    """gunicorn with 2 sync workers on a free port, for the `with` block."""

    def __init__(self, env, workers=2):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.process = None

    def __enter__(self):
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        self.process = subprocess.Popen(
            [GUNICORN, "outlook.wsgi:application", "--workers", str(self.workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get(TRIVIAL).status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped at start (see above)")
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, headers=None):
        """One GET, the body as sent (not decompressed)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        started = time.perf_counter()
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        connection.close()
        return Probe(response.status, len(body), seconds, dict(response.getheaders()))

    def worker_pids(self):
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


def cpu_seconds(pids):
    """{pid: user and system CPU time in seconds} of these processes, while they live."""
    spent = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        spent[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (14, 15)
    return spent


def rss_mb(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else 0.0


def load(server, wrk, lua, path, *, seconds, connections=4, headers=None):
    """wrk on one path for `seconds`: requests/s, latencies, and the workers' CPU and memory."""
    pids = server.worker_pids()
    peak = [0.0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for pid in server.worker_pids():
                peak[0] = max(peak[0], rss_mb(pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    before = cpu_seconds(pids)
    sampler.start()
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "120s"]
    command += ["-s", lua]
    for name, value in {**COMPRESSED, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        command + [server.url(path)], capture_output=True, text=True, check=False
    ).stdout
    stop.set()
    sampler.join()
    after = cpu_seconds(pids)
    # A worker killed during the run (gunicorn's timeout) takes its CPU time with it.
    spent = sum(after[pid] - before[pid] for pid in after if pid in before)
    lost = len(after) < len(pids)
    match = re.search(r"^BENCH (.*)$", output, re.M)
    if not match:
        print(output, file=sys.stderr)
        return Load()
    figures = dict(item.split("=") for item in match.group(1).split())
    figures = {k: int(v) for k, v in figures.items()}
    requests = figures["requests"]
    errors = sum(figures[k] for k in ("status_errors", "connect_errors", "read_errors", "timeouts"))
    return Load(
        requests=requests,
        rate=requests / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        errors=errors,
        cpu_ms=spent / requests * 1000 if requests and not lost else None,
        peak_rss_mb=peak[0] or None,
    )


def conditional_headers(probe):
    """The validators of a first response as a revalidating cache sends them, if any."""
    if "ETag" in probe.headers:
        return {"If-None-Match": probe.headers["ETag"]}
    if "Last-Modified" in probe.headers:
        return {"If-Modified-Since": probe.headers["Last-Modified"]}
    return None


def benchmark(pages, *, seconds=5.0, conditional=None, media_root=None):
    """Load each (label, path) of `pages` interleaved with the trivial view; print the
    table. `conditional` is the path whose conditional GET is measured too. Returns rows."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="outlook-bench-") as tmp:
        env = production_environment(Path(tmp) / "static", media_root or Path(tmp) / "media")
        lua = Path(tmp) / "report.lua"
        lua.write_text(LUA)
        with Server(env) as server:
            runs = []
            for label, path in pages:
                # A first request: warms what is rendered once (a PDF), and gives the sizes.
                plain = server.get(path)
                compressed = server.get(path, COMPRESSED)
                runs.append((label, path, None, plain, compressed))
                if path == conditional:
                    validators = conditional_headers(compressed)
                    answer = server.get(path, {**COMPRESSED, **validators}) if validators else None
                    runs.append(("  conditional GET", path, validators, answer, answer))
            rows = []
            trivial = load(server, wrk, str(lua), TRIVIAL, seconds=seconds)
            first_trivial = trivial
            for label, path, validators, plain, compressed in runs:
                if plain is None:  # no validator to send: nothing to measure
                    rows.append((label, None, None, plain, compressed, None))
                    continue
                # A page slower than the run would complete too few requests to measure.
                duration = max(seconds, min(60.0, plain.seconds * 8))
                headers = validators or {}
                page = load(server, wrk, str(lua), path, seconds=duration, headers=headers)
                # wrk stops with requests in flight, which the workers finish afterwards:
                # let them, or the next trivial run shares the workers with them.
                time.sleep(min(120.0, page.p95_ms / 1000 * 4 / server.workers))
                after = load(server, wrk, str(lua), TRIVIAL, seconds=seconds)
                baseline = statistics.mean([trivial.rate, after.rate])
                rows.append((label, page, baseline, plain, compressed, validators))
                trivial = after
    print_table(first_trivial, rows)
    return rows


def _size(probe):
    if probe is None:
        return "-"
    kb = probe.size / 1024
    encoding = probe.headers.get("Content-Encoding")
    text = f"{kb:,.1f} KB" if kb < 1024 else f"{kb / 1024:,.1f} MB"
    return f"{text} ({encoding})" if encoding else text


def print_table(trivial, rows):
    header = (
        f"{'page':<34} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'CPU ms/req':>10} {'peak RSS':>9} {'status':>6} {'ETag':>5} "
        f"{'bytes (gzip, br)':>22} {'bytes (plain)':>14}"
    )
    print(header)
    print("-" * len(header))

    def line(label, run, ratio, probe, compressed):
        def figure(value, form):
            return "-" if value is None else format(value, form)

        status = str(compressed.status) if compressed else "-"
        etag = "yes" if compressed and "ETag" in compressed.headers else "-"
        errors = f" ({run.errors} errors)" if run and run.errors else ""
        rss = f"{run.peak_rss_mb:.0f} MB" if run and run.peak_rss_mb else "-"
        print(
            f"{label:<34} {figure(run and run.rate, '8.1f'):>8} {figure(ratio, '7.4f'):>7} "
            f"{figure(run and run.p50_ms, '8.1f'):>8} {figure(run and run.p95_ms, '8.1f'):>8} "
            f"{figure(run and run.cpu_ms, '10.2f'):>10} "
            f"{rss:>9} "
            f"{status:>6} {etag:>5} {_size(compressed):>22} {_size(probe):>14}{errors}"
        )  # fmt: skip

    line(f"trivial view {TRIVIAL}", trivial, 1.0, None, None)
    for label, run, baseline, plain, compressed, _ in rows:
        ratio = run.rate / baseline if run and baseline else None
        line(label, run, ratio, plain, compressed)
    print(
        "ratio: the page's requests/s over the mean of the trivial view's runs just before "
        "and after it; wrk -t1 -c4 against gunicorn, 2 sync workers"
    )
