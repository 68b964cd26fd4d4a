"""node_os_info and node_os_version from the host's os-release file (module named to avoid shadowing `os`)."""

from __future__ import annotations

import os
import re
import shlex

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.paths import read_text

FILES = ("etc/os-release", "usr/lib/os-release")
INFO_KEYS = ("build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant",
             "variant_id", "version", "version_codename", "version_id")
_VERSION = re.compile(r"^[0-9]+\.?[0-9]*")


def parse_os_release(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:
            parts = [raw.strip("\"'")]
        values[key.strip().lower()] = parts[0] if parts else ""
    return values


@register
class OSCollector(Collector):
    name = "os"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._cache: tuple[str, float, dict[str, str]] | None = None

    def _release(self) -> dict[str, str]:
        for relative in FILES:
            path = self.paths.root(relative)
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            if self._cache and self._cache[0] == path and self._cache[1] == mtime:
                return self._cache[2]
            values = parse_os_release(read_text(path))
            self._cache = (path, mtime, values)
            return values
        raise NoDataError("no os-release file found")

    def update(self):
        release = self._release()
        info = gauge(
            "node_os_info",
            "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, "
            "name, pretty_name, variant, variant_id, version, version_codename, version_id.",
            labels=list(INFO_KEYS))
        info.add_metric([release.get(key, "") for key in INFO_KEYS], 1.0)
        yield info
        match = _VERSION.match(release.get("version_id", ""))
        if match:
            version = gauge("node_os_version", "Metric containing the major.minor part of the OS version.",
                                        labels=["id", "id_like", "name"])
            version.add_metric([release.get("id", ""), release.get("id_like", ""), release.get("name", "")],
                               float(match.group(0).rstrip(".") or 0))
            yield version
