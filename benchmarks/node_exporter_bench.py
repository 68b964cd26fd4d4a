"""Our node exporter side by side with Go's (Debian prometheus-node-exporter), Go's full default collector set,
one run, two modes: as Prometheus scrapes (keep-alive, its Accept header, gzip) and as plain GETs (a new
connection each, no compression).

    python -m benchmarks.node_exporter_bench [--scrapes 1000] [--json]

Targets: p50 and CPU per scrape <= 0.8x Go's in the Prometheus mode, <= 1.0x in the plain mode; RSS <= 35 MB.
"""

from __future__ import annotations

from benchmarks import sidebyside
from node_exporter.collector import COLLECTORS
from node_exporter.collectors import __name__ as _collectors_loaded  # noqa: F401 - registers the collectors

# Upstream Go 1.5's default set, which is our registry's: Debian's build also turns systemd on, which would only
# fail here (no system bus) and is not upstream's default, so both sides get this list explicitly.
COLLECTORS_ON = tuple(sorted(name for name, cls in COLLECTORS.units.items() if cls.enabled_by_default))
TARGETS = {"prometheus": {"p50_ms": 0.8, "cpu_s_per_1000": 0.8}, "plain": {"p50_ms": 1.0, "cpu_s_per_1000": 1.0}}
RSS_TARGET_MB = 35.0


def collector_flags() -> list[str]:
    # The same textfile directory on both sides (Debian's Go default differs from ours, which is none).
    return ["--collector.disable-defaults", *(f"--collector.{name}" for name in COLLECTORS_ON),
            "--collector.textfile.directory=/var/lib/prometheus/node-exporter"]


def run(scrapes: int, workdir: str) -> dict:
    """The Prometheus mode's figures at the top level (what the smoke test and older callers read), the plain
    mode's under "plain", and whether each target is met under "targets"."""
    results = sidebyside.run_pair_modes(workdir, "node_exporter", "prometheus-node-exporter", collector_flags(),
                                        scrapes, sidebyside.MODES)
    merged = dict(results["prometheus"])
    merged["plain"] = results["plain"]
    merged["targets"] = {f"{mode}.{figure}<={limit}": results[mode]["ratio"][figure] <= limit
                         for mode, limits in TARGETS.items() for figure, limit in limits.items()}
    merged["targets"][f"rss_mb<={RSS_TARGET_MB}"] = results["prometheus"]["ours"]["rss_mb"] <= RSS_TARGET_MB
    return merged


def print_results(scrapes: int, results: dict) -> None:
    title = f"node exporter, {len(COLLECTORS_ON)} collectors (Go's defaults), {scrapes} interleaved scrapes each"
    sidebyside.print_table(f"{title} -- Prometheus mode (keep-alive, gzip)", results)
    print()
    sidebyside.print_table(f"{title} -- plain mode (new connection, no gzip)", results["plain"])
    print()
    for target, met in results["targets"].items():
        print(f"{'met' if met else 'MISSED':>7}  {target}")


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        outcome = run(args.scrapes, workdir)
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        print_results(args.scrapes, outcome)
