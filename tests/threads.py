"""Running work in threads released at once, as people acting at the same moment would."""

import threading

from django.db import connection


def run_in_threads(count, work):
    """Run work(i) in `count` threads released at once; each thread's result or exception."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the caller looks at it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
