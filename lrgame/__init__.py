import os

# One BLAS thread. The engine's arrays are mostly element-wise; the few BLAS calls
# (norms, dots of a million numbers) take 0.1 ms on one thread, while OpenBLAS's own
# threads, on a busy machine of two cores beside the UI thread and its workers, were
# measured to stretch one to 20 ms (a million-parameter step: 40 ms against 8 ms).
# A user's own setting wins; it must be set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
