"""Run every benchmark (make bench)."""

import runpy
from pathlib import Path

for script in ("public.py", "caching.py", "checks.py"):
    print(f"== benchmarks/{script}")
    runpy.run_path(str(Path(__file__).resolve().parent / script), run_name="__main__")
