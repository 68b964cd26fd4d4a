"""gunicorn settings for the multiprocess test: fold a worker's metric files when it exits."""

from app_instrumentation.multiprocess import child_exit  # noqa: F401 - a gunicorn server hook
