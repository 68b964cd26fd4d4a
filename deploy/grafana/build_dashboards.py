"""Writes the Grafana dashboards defined in builder/ to dashboards/<folder title>/<name>.json (or under the directory
given as the only argument). Run: python deploy/grafana/build_dashboards.py"""

from __future__ import annotations

import sys
from pathlib import Path

from builder import write_all

if __name__ == "__main__":
    for written_path in write_all(*map(Path, sys.argv[1:2])):
        print(written_path)
