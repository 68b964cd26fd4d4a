"""The suite's Grafana dashboards as code: model.py (what a dashboard is), render.py (its Grafana JSON), and one module
per audience's folder. write_all() writes dashboards/<folder title>/<name>.json; run deploy/grafana/build_dashboards.py.

One place for the queries: tests/e2e/test_dashboard_queries.py evaluates every variable and panel query against the
local stack's real Prometheus, tests/deploy/test_grafana.py checks that the committed JSON is what this package
writes and that every query parses. Audiences (folders, permissions in access/plan.yaml): management opens Overview;
DevOps Infrastructure (hosts, one host, the exporters' own health), Kubernetes (cluster -> namespace -> pod) and
Databases; developers Applications; QA Test Environment. Every dashboard picks its Prometheus with `$datasource`;
levels link to each other.
"""

from __future__ import annotations

import json
from pathlib import Path

from .applications import APP
from .databases import MYSQL
from .infrastructure import EXPORTERS, HOST, HOSTS
from .kubernetes import CLUSTER, NAMESPACE, POD
from .model import Dashboard
from .overview import OVERVIEW
from .qa_environment import TEST_ENV
from .render import dashboard

DASHBOARDS: tuple[Dashboard, ...] = (OVERVIEW, HOSTS, HOST, EXPORTERS, CLUSTER, NAMESPACE, POD, MYSQL, APP, TEST_ENV)
DASHBOARDS_DIRECTORY = Path(__file__).resolve().parent.parent / "dashboards"


def write_all(root: Path = DASHBOARDS_DIRECTORY) -> list[Path]:
    written = []
    for board in DASHBOARDS:
        directory = root / board.folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / board.file_name
        path.write_text(json.dumps(dashboard(board), indent=2) + "\n")
        written.append(path)
    return written
