"""Go node_exporter 1.5's own end-to-end test, run against our exporter.

The fixture (../shared/reference/node-exporter-1.5-e2e/) is unpacked once per process; our exporter runs as a
real process with the flags Go's end-to-end-test.sh uses; the scrape is compared with Go's e2e-output.txt
after Go's own skip pattern, family by family: HELP, TYPE and every sample (name, labels, value).

    python -m tests.node_e2e                 # report every difference
    python -m tests.node_e2e node_bonding_   # only families starting with these prefixes
    python -m tests.node_e2e --lenient ...   # drop Go flags our CLI does not know yet (work in progress)
"""

from __future__ import annotations

import math
import os
import re
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference" / "node-exporter-1.5-e2e"
GOLDEN = REFERENCE / "e2e-output.txt"
TREE = REFERENCE / "tree.tgz"

# Go's end-to-end-test.sh drops these lines before diffing (python_ and exporter_http_ are our runtime's go_).
SKIP = re.compile(r"^(go_|python_|exporter_http_|node_exporter_build_info|node_scrape_collector_duration_seconds|"
                  r"process_|node_textfile_mtime_seconds|node_time_(zone|seconds)|"
                  r"node_network_(receive|transmit)_(bytes|packets)_total)")
# The one exception (see the fixture's README): netdev comes from Go's host (netlink), not the tree. The other,
# the textfile HELP naming the directory, needs none: the exporter runs where Go's does, with its relative paths.
HOST_FAMILIES = re.compile(r"^node_network_(receive|transmit)_\w+_total$")
HOST_SAMPLES = {("node_scrape_collector_success", (("collector", "netdev"),))}

E2E_COLLECTORS = (
    "arp", "bcache", "bonding", "btrfs", "buddyinfo", "cgroups", "conntrack", "cpu", "cpufreq", "diskstats", "dmi",
    "drbd", "edac", "entropy", "fibrechannel", "filefd", "hwmon", "infiniband", "interrupts", "ipvs", "ksmd",
    "lnstat", "loadavg", "mdadm", "meminfo", "meminfo_numa", "mountstats", "netdev", "netstat", "nfs", "nfsd",
    "pressure", "processes", "qdisc", "rapl", "schedstat", "selinux", "slabinfo", "sockstat", "stat", "sysctl",
    "textfile", "thermal_zone", "udp_queues", "vmstat", "wifi", "xfs", "zfs", "zoneinfo",
)
E2E_DISABLED = ("filesystem", "timex", "uname")


def unpack(base: Path) -> Path:
    """The fixture tree (tree.tgz: proc/, sys/, udev/, ... as Go's test has them once unpacked) at
    base/collector/fixtures, where Go's script has it. Returns base: the exporter runs there with Go's relative
    paths, which some labels and HELP texts carry (node_rapl_*{path}, the textfile HELP)."""
    root = base / "collector" / "fixtures"
    if (root / ".unpacked").exists():
        return base
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(TREE) as archive:
        archive.extractall(root, filter="tar")
    (root / ".unpacked").touch()
    return base


def go_flags(root: str = "collector/fixtures") -> list[str]:
    """The flags of Go's end-to-end-test.sh (v1.5.0), relative to the directory the exporter runs in."""
    return [
        f"--path.rootfs={root}", f"--path.procfs={root}/proc", f"--path.sysfs={root}/sys",
        f"--path.udev.data={root}/udev/data",
        *(f"--collector.{name}" for name in E2E_COLLECTORS),
        *(f"--no-collector.{name}" for name in E2E_DISABLED),
        f"--collector.textfile.directory={root}/textfile/two_metric_files/",
        f"--collector.wifi.fixtures={root}/wifi",
        f"--collector.qdisc.fixtures={root}/qdisc/",
        "--collector.arp.device-exclude=nope",
        "--collector.netclass.ignored-devices=(dmz|int)",
        "--collector.netclass.ignore-invalid-speed",
        "--collector.netdev.device-include=lo",
        "--collector.bcache.priorityStats",
        "--collector.cpu.info",
        "--collector.cpu.info.bugs-include=^(cpu_meltdown|spectre_.*|mds)$",
        "--collector.cpu.info.flags-include=^(aes|avx.?|constant_tsc)$",
        "--collector.stat.softirq",
        "--collector.sysctl.include=kernel.threads-max",
        "--collector.sysctl.include=fs.file-nr",
        "--collector.sysctl.include=fs.file-nr:total,current,max",
        "--collector.sysctl.include-info=kernel.seccomp.actions_avail",
    ]


def known_flags() -> set[str]:
    from node_exporter.cli import command

    names: set[str] = set()
    for param in command.params:
        for opt in (*param.opts, *param.secondary_opts):
            names.add(opt)
    return names


def lenient(flags: list[str]) -> list[str]:
    known = known_flags()
    return [flag for flag in flags if flag.split("=", 1)[0] in known]


@dataclass
class Family:
    help: str | None = None
    type: str | None = None
    samples: dict[tuple, str] = field(default_factory=dict)


def parse(text: str) -> dict[str, Family]:
    """Exposition text -> families, after Go's skip pattern. Sample keys: (name, sorted label pairs)."""
    families: dict[str, Family] = {}
    current = None
    for line in text.split("\n"):  # not splitlines(): label values may hold \x1c-\x1e, \x85
        if not line.strip():
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, rest = line.split(" ", 2)
            name, _, value = rest.partition(" ")
            if SKIP.match(name):
                continue
            family = families.setdefault(name, Family())
            if kind == "HELP":
                family.help = value
            else:
                family.type = value
            current = name
            continue
        if line.startswith("#") or SKIP.match(line):
            continue
        name, labels, value = split_sample(line)
        owner = current if current and name.startswith(current) else name
        families.setdefault(owner, Family()).samples[(name, labels)] = value
    return families


LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def split_sample(line: str) -> tuple[str, tuple, str]:
    if "{" in line:
        name, rest = line.split("{", 1)
        body, _, value = rest.rpartition("}")
        labels = tuple(sorted(LABEL.findall(body)))
    else:
        name, _, value = line.partition(" ")
        labels = ()
    return name, labels, value.strip().split(" ")[0]


def same_value(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return x == y or (math.isnan(x) and math.isnan(y))


def compare(want: dict[str, Family], got: dict[str, Family], prefixes: tuple[str, ...] = ()) -> list[str]:
    """Every difference, one line each; empty when ours reproduces Go's output."""
    problems = []
    names = sorted(set(want) | set(got))
    for name in names:
        if prefixes and not name.startswith(prefixes):
            continue
        if HOST_FAMILIES.match(name):
            continue
        w, g = want.get(name), got.get(name)
        if w is None:
            problems.append(f"extra family {name} ({len(g.samples)} samples)")
            continue
        if g is None:
            problems.append(f"missing family {name} ({len(w.samples)} samples)")
            continue
        if w.help != g.help:
            problems.append(f"HELP {name}: want {w.help!r} got {g.help!r}")
        if w.type != g.type:
            problems.append(f"TYPE {name}: want {w.type} got {g.type}")
        for key, value in w.samples.items():
            if key in HOST_SAMPLES:
                continue
            if key not in g.samples:
                problems.append(f"missing sample {render(key)} {value}")
            elif not same_value(value, g.samples[key]):
                problems.append(f"wrong value {render(key)}: want {value} got {g.samples[key]}")
        for key, value in g.samples.items():
            if key not in w.samples:
                problems.append(f"extra sample {render(key)} {value}")
    return problems


def render(key: tuple) -> str:
    name, labels = key
    return name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else "")


def scrape_ours(base: Path, flags: list[str] | None = None) -> str:
    """Start our exporter as a process in base with Go's flags, scrape it once, stop it."""
    from testbed.harness import free_port, start_daemon

    port = free_port()
    argv = [sys.executable, "-m", "node_exporter", f"--web.listen-address=127.0.0.1:{port}",
            *(flags if flags is not None else go_flags())]
    log = Path(tempfile.gettempdir()) / f"node-e2e-{port}.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    daemon = start_daemon("node-exporter", argv, port, str(log), cwd=str(base), env=env)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
            return response.read().decode()
    finally:
        daemon.stop()


def main(argv: list[str]) -> int:
    use_lenient = "--lenient" in argv
    prefixes = tuple(arg for arg in argv if not arg.startswith("--"))
    base = unpack(Path(tempfile.gettempdir()) / "node-e2e-fixture")
    flags = go_flags()
    if use_lenient:
        dropped = sorted(set(flags) - set(lenient(flags)))
        flags = lenient(flags)
        for flag in dropped:
            print(f"# dropped unknown flag {flag}")
    problems = compare(parse(GOLDEN.read_text()), parse(scrape_ours(base, flags)), prefixes)
    for line in problems:
        print(line)
    print(f"# {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
