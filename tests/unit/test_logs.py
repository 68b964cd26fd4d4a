"""Log lines in the Go exporters' shapes, filtered by level."""

from __future__ import annotations

import json
import logging

from exporter_toolkit import logs


def test_logfmt_quotes_what_needs_it(capsys):
    logs.setup("info", "logfmt")
    logging.getLogger("t").info("Listening on", extra={"address": "[::]:9100", "note": 'a "b"'})
    logging.getLogger("t").debug("hidden")
    line = capsys.readouterr().err.strip()
    assert line.startswith("ts=") and " level=info " in line
    assert 'msg="Listening on" address=[::]:9100 note="a \\"b\\""' in line
    assert "hidden" not in line


def test_json_lines(capsys):
    logs.setup("debug", "json")
    logging.getLogger("t").warning("careful", extra={"collector": "cpu"})
    record = json.loads(capsys.readouterr().err.strip())
    assert record["level"] == "warn" and record["msg"] == "careful" and record["collector"] == "cpu"
