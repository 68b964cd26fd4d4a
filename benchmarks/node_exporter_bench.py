"""Our node exporter side by side with Go's (Debian prometheus-node-exporter), Go's full default collector set,
one run, two modes: as Prometheus scrapes (keep-alive, its Accept header, gzip) and as plain GETs (a new
connection each, no compression); then the floor (benchmarks/node_floor.py): the file system calls of one scrape made
again with no parsing or formatting, in total and collector by collector.

    python -m benchmarks.node_exporter_bench [--scrapes 1000] [--floor-rounds 300] [--cpus 1] [--json]

--cpus pins both daemons to the same CPUs: on a busy machine Go's collectors, run in parallel goroutines, take
a share of every core while a Python scrape (one thread at a time) takes one; pinned, the latencies compare the
work per scrape.

Targets (issue 24): p50 and CPU per scrape <= 0.75x Go's in the Prometheus mode, <= 1.0x in the plain mode;
RSS <= 26 MB with every default collector.
"""

from __future__ import annotations

from benchmarks import node_floor, sidebyside
from node_exporter.collector import COLLECTORS
from node_exporter.collectors import __name__ as _collectors_loaded  # noqa: F401 - registers the collectors

# Upstream Go 1.5's default set, which is our registry's: Debian's build also turns systemd on, which would only
# fail here (no system bus) and is not upstream's default, so both sides get this list explicitly.
COLLECTORS_ON = tuple(sorted(name for name, cls in COLLECTORS.units.items() if cls.enabled_by_default))
TARGETS = {"prometheus": {"p50_ms": 0.75, "cpu_s_per_1000": 0.75},
           "plain": {"p50_ms": 1.0, "cpu_s_per_1000": 1.0}}
RSS_TARGET_MB = 26.0


def collector_flags() -> list[str]:
    # The same textfile directory on both sides (Debian's Go default differs from ours, which is none).
    return ["--collector.disable-defaults", *(f"--collector.{name}" for name in COLLECTORS_ON),
            "--collector.textfile.directory=/var/lib/prometheus/node-exporter"]


def run(scrapes: int, workdir: str, floor_rounds: int = 300, cpus: str | None = None) -> dict:
    """The Prometheus mode's figures at the top level (what the smoke test and older callers read), the plain
    mode's under "plain", whether each target is met under "targets", and the floor under "floor"."""
    results = sidebyside.run_pair_modes(workdir, "node_exporter", "prometheus-node-exporter", collector_flags(),
                                        scrapes, sidebyside.MODES, cpus)
    merged = dict(results["prometheus"])
    merged["plain"] = results["plain"]
    merged["targets"] = {f"{mode}.{figure}<={limit}": results[mode]["ratio"][figure] <= limit
                         for mode, limits in TARGETS.items() for figure, limit in limits.items()}
    merged["targets"][f"rss_mb<={RSS_TARGET_MB}"] = results["prometheus"]["ours"]["rss_mb"] <= RSS_TARGET_MB
    merged["floor"] = node_floor.measure(collector_flags(), max(floor_rounds, 1))
    return merged


def print_results(scrapes: int, results: dict, cpus: str | None = None) -> None:
    title = f"node exporter, {len(COLLECTORS_ON)} collectors (Go's defaults), {scrapes} interleaved scrapes each"
    if cpus is not None:
        title += f", both on CPUs {cpus}"
    sidebyside.print_table(f"{title} -- Prometheus mode (keep-alive, gzip)", results)
    print()
    sidebyside.print_table(f"{title} -- plain mode (new connection, no gzip)", results["plain"])
    print()
    for target, met in results["targets"].items():
        print(f"{'met' if met else 'MISSED':>7}  {target}")
    print()
    floor = results["floor"]["floor_ms"]
    over = {mode: {name: row[name]["p50_ms"] / floor for name in ("ours", "go")}
            for mode, row in (("Prometheus", results), ("plain", results["plain"]))}
    print(f"floor {floor:.2f} ms; scrape p50 over it: " + ", ".join(
        f"{mode} mode ours {x['ours']:.1f}x, Go {x['go']:.1f}x" for mode, x in over.items()))
    node_floor.print_floor(results["floor"])


if __name__ == "__main__":
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=1000)
    parser.add_argument("--floor-rounds", type=int, default=300, help="rounds of the floor measurement")
    parser.add_argument("--cpus", help="run both daemons on these CPUs only (taskset list, e.g. 1)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        outcome = run(args.scrapes, workdir, args.floor_rounds, args.cpus)
    if args.json:
        print(json.dumps(outcome, indent=2))
    else:
        print_results(args.scrapes, outcome, args.cpus)
