"""Portable mode: cpu, meminfo, loadavg, filesystem, diskstats, netdev and uname through psutil, for hosts without
Linux's /proc and /sys (macOS, the BSDs, Windows), with the metric names Go's darwin/BSD builds use.

It is chosen per collector when it is built: automatically when <procfs>/stat does not exist, or for every one
of those seven with --collector.portable (which is how the tests compare it with the /proc collectors on Linux).
Each class is registered as a variant of its collector, which keeps its name and flags.
"""

from __future__ import annotations

import os

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, register_variant
from node_exporter.collectors import diskstats, filesystem, netdev
from node_exporter.options import device_filter


class PortableCpu(Collector):
    """node_cpu_seconds_total{cpu,mode}: user, nice, system, idle as Go's darwin build (plus interrupt where the
    platform counts it, as the BSD builds)."""

    def update(self):
        import psutil  # loaded only in portable mode

        family = counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.", ["cpu", "mode"])
        for index, times in enumerate(psutil.cpu_times(percpu=True)):
            cpu_label = str(index)
            family.add_metric([cpu_label, "user"], times.user)
            family.add_metric([cpu_label, "nice"], getattr(times, "nice", 0.0))
            family.add_metric([cpu_label, "system"], times.system)
            family.add_metric([cpu_label, "idle"], times.idle)
            if hasattr(times, "irq") and not psutil.LINUX:  # Linux's irq is reported by the /proc collector
                family.add_metric([cpu_label, "interrupt"], times.irq)
        yield family


class PortableMeminfo(Collector):
    """node_memory_*_bytes with Go darwin's names ("Memory information field X.", counters end in _total)."""

    def update(self):
        import psutil  # loaded only in portable mode

        memory, swap = psutil.virtual_memory(), psutil.swap_memory()
        # In name order; active, inactive and wired exist only where the platform counts them.
        if hasattr(memory, "active"):
            yield gauge("node_memory_active_bytes", "Memory information field active_bytes.",
                        value=float(memory.active))
        yield gauge("node_memory_free_bytes", "Memory information field free_bytes.", value=float(memory.free))
        if hasattr(memory, "inactive"):
            yield gauge("node_memory_inactive_bytes", "Memory information field inactive_bytes.",
                        value=float(memory.inactive))
        yield gauge("node_memory_swap_total_bytes", "Memory information field swap_total_bytes.",
                    value=float(swap.total))
        yield gauge("node_memory_swap_used_bytes", "Memory information field swap_used_bytes.", value=float(swap.used))
        yield counter("node_memory_swapped_in_bytes_total", "Memory information field swapped_in_bytes_total.",
                      value=float(swap.sin))
        yield counter("node_memory_swapped_out_bytes_total", "Memory information field swapped_out_bytes_total.",
                      value=float(swap.sout))
        yield gauge("node_memory_total_bytes", "Memory information field total_bytes.", value=float(memory.total))
        if hasattr(memory, "wired"):
            yield gauge("node_memory_wired_bytes", "Memory information field wired_bytes.", value=float(memory.wired))


class PortableLoadavg(Collector):
    def update(self):
        import psutil  # loaded only in portable mode

        one, five, fifteen = psutil.getloadavg()
        yield gauge("node_load1", "1m load average.", value=one)
        yield gauge("node_load5", "5m load average.", value=five)
        yield gauge("node_load15", "15m load average.", value=fifteen)


class PortableFilesystem(Collector):
    """statvfs() of every mounted filesystem, filtered by the filesystem collector's own two flags."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.exclude_mounts = filesystem.FilesystemCollector.MOUNT_POINTS_EXCLUDE.read(ctx.options)
        self.exclude_types = filesystem.FilesystemCollector.FS_TYPES_EXCLUDE.read(ctx.options)

    def update(self):
        import psutil  # loaded only in portable mode

        labels = ["device", "fstype", "mountpoint"]
        size = gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", labels)
        free = gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", labels)
        avail = gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", labels)
        files = gauge("node_filesystem_files", "Filesystem total file nodes.", labels)
        files_free = gauge("node_filesystem_files_free", "Filesystem total free file nodes.", labels)
        readonly = gauge("node_filesystem_readonly", "Filesystem read-only status.", labels)
        error = gauge("node_filesystem_device_error",
                      "Whether an error occurred while getting statistics for the given device.", labels)
        seen = set()
        for part in psutil.disk_partitions(all=True):
            if self.exclude_mounts.search(part.mountpoint) or self.exclude_types.search(part.fstype):
                continue
            key = (part.device, part.fstype, part.mountpoint)
            if key in seen:
                continue
            seen.add(key)
            values = list(key)
            ro = 1.0 if "ro" in part.opts.split(",") else 0.0
            try:
                if hasattr(os, "statvfs"):
                    st = os.statvfs(part.mountpoint)
                    figures = (st.f_blocks * st.f_frsize, st.f_bfree * st.f_frsize, st.f_bavail * st.f_frsize,
                               st.f_files, st.f_ffree)
                else:  # Windows: sizes only, no inode counts
                    usage = psutil.disk_usage(part.mountpoint)
                    figures = (usage.total, usage.free, usage.free, None, None)
            except OSError:
                error.add_metric(values, 1.0)
                readonly.add_metric(values, ro)
                continue
            error.add_metric(values, 0.0)
            readonly.add_metric(values, ro)
            for family, figure in zip((size, free, avail, files, files_free), figures, strict=True):
                if figure is not None:
                    family.add_metric(values, float(figure))
        yield from (family for family in (avail, error, files, files_free, free, readonly, size) if family.rows)


class PortableDiskstats(Collector):
    """Per-disk I/O counts, bytes and times, filtered by the diskstats collector's device flags."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = device_filter(ctx.options, diskstats.DiskstatsCollector.DEVICE_INCLUDE,
                                     diskstats.DiskstatsCollector.DEVICE_EXCLUDE)

    def update(self):
        import psutil  # loaded only in portable mode

        reads = counter("node_disk_reads_completed_total", "The total number of reads completed successfully.",
                        ["device"])
        writes = counter("node_disk_writes_completed_total", "The total number of writes completed successfully.",
                         ["device"])
        read_bytes = counter("node_disk_read_bytes_total", "The total number of bytes read successfully.",
                             ["device"])
        written = counter("node_disk_written_bytes_total", "The total number of bytes written successfully.",
                          ["device"])
        read_time = counter("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.",
                            ["device"])
        write_time = counter("node_disk_write_time_seconds_total",
                             "This is the total number of seconds spent by all writes.", ["device"])
        for device, io in sorted((psutil.disk_io_counters(perdisk=True, nowrap=False) or {}).items()):
            if self.ignored(device):
                continue
            reads.add_metric([device], float(io.read_count))
            writes.add_metric([device], float(io.write_count))
            read_bytes.add_metric([device], float(io.read_bytes))
            written.add_metric([device], float(io.write_bytes))
            read_time.add_metric([device], io.read_time / 1000.0)
            write_time.add_metric([device], io.write_time / 1000.0)
        yield from (family for family in (reads, writes, read_bytes, written, read_time, write_time) if family.rows)


class PortableNetdev(Collector):
    """Per-interface counters, filtered by the netdev collector's device flags."""

    # (metric, HELP, psutil attribute)
    FIELDS = (
        ("node_network_receive_bytes_total", "Network device statistic receive_bytes.", "bytes_recv"),
        ("node_network_receive_packets_total", "Network device statistic receive_packets.", "packets_recv"),
        ("node_network_receive_errs_total", "Network device statistic receive_errs.", "errin"),
        ("node_network_receive_drop_total", "Network device statistic receive_drop.", "dropin"),
        ("node_network_transmit_bytes_total", "Network device statistic transmit_bytes.", "bytes_sent"),
        ("node_network_transmit_packets_total", "Network device statistic transmit_packets.", "packets_sent"),
        ("node_network_transmit_errs_total", "Network device statistic transmit_errs.", "errout"),
        ("node_network_transmit_drop_total", "Network device statistic transmit_drop.", "dropout"),
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = device_filter(ctx.options, netdev.NetdevCollector.DEVICE_INCLUDE,
                                     netdev.NetdevCollector.DEVICE_EXCLUDE)

    def update(self):
        import psutil  # loaded only in portable mode

        families = [(attribute, counter(name, help_text, ["device"])) for name, help_text, attribute in self.FIELDS]
        for device, io in sorted(psutil.net_io_counters(pernic=True, nowrap=False).items()):
            if self.ignored(device):
                continue
            for attribute, family in families:
                family.add_metric([device], float(getattr(io, attribute)))
        yield from (family for _, family in families if family.rows)


class PortableUname(Collector):
    """node_uname_info; nodename and domainname split at the host name's first dot, "(none)" without one, as the
    BSD builds do."""

    def update(self):
        info = os.uname() if hasattr(os, "uname") else None
        if info is None:  # Windows
            import platform

            info = platform.uname()
            sysname, host, release, version, machine = info.system, info.node, info.release, info.version, info.machine
        else:
            sysname, host, release, version, machine = (info.sysname, info.nodename, info.release, info.version,
                                                        info.machine)
        nodename, dot, domain = host.partition(".")
        family = gauge("node_uname_info", "Labeled system information as provided by the uname system call.",
                       ["sysname", "release", "version", "machine", "nodename", "domainname"])
        family.add_metric([sysname, release, version, machine, nodename, domain if dot else "(none)"], 1.0)
        yield family


PORTABLE = {"cpu": PortableCpu, "meminfo": PortableMeminfo, "loadavg": PortableLoadavg,
            "filesystem": PortableFilesystem, "diskstats": PortableDiskstats, "netdev": PortableNetdev,
            "uname": PortableUname}
PORTABLE_FLAG = Option("--collector.portable", "portable", False,
                       "Read cpu, meminfo, loadavg, filesystem, diskstats, netdev and uname through psutil with Go's "
                       "darwin/BSD names (automatic where <procfs>/stat does not exist).", is_flag=True)


def portable_wanted(ctx: Context) -> bool:
    return bool(PORTABLE_FLAG.read(ctx.options)) or not os.path.exists(ctx.paths.proc("stat"))


for _name, _variant in PORTABLE.items():
    register_variant(_name, _variant, portable_wanted)
