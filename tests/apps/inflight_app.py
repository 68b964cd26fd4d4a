"""A Flask app whose export route streams until the test lets it finish, served by gunicorn (threaded workers,
multiprocess mode) in the requests-in-flight test. INFLIGHT_RELEASE names the file whose existence ends every
stream; each response says which worker serves it (X-Worker-Pid)."""

from __future__ import annotations

import os
import time

from flask import Flask, Response

from app_instrumentation import instrument_flask

app = Flask(__name__)
RELEASE = os.environ.get("INFLIGHT_RELEASE", "")
STREAM_DEADLINE = 60.0  # seconds: a stream never outlives a test that forgot to release it


@app.get("/exports/<int:export_id>")
def export(export_id: int):
    def rows():
        yield f"export {export_id}\n"
        deadline = time.monotonic() + STREAM_DEADLINE
        while not os.path.exists(RELEASE) and time.monotonic() < deadline:
            time.sleep(0.01)  # the app's own wait for the test's signal, not the test's synchronisation
        yield "done\n"

    return Response(rows(), mimetype="text/plain", headers={"X-Worker-Pid": str(os.getpid())})


@app.get("/healthz")
def healthz():
    return "OK\n"


instrument_flask(app)
