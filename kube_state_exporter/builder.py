"""The stores and reflectors of the enabled resources (kube-state-metrics' builder): one MetricsStore and one
Reflector per resource and namespace, a scrape that joins their bytes, and the exporter's own telemetry."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence

from kubernetes import client

from exporter_toolkit.families import counter, gauge
from kube_state_exporter import deflate
from kube_state_exporter.informer import ApiServerHealth, Reflector, Telemetry
from kube_state_exporter.metric import FamilyGenerator
from kube_state_exporter.resources import RESOURCES, Allowlists, ResourceSpec
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore, write, write_gzipped

LIST_PAGES_AT_ONCE = 4
EOF_PIECE = deflate.piece(b"# EOF\n")


class Scrape:
    """A scrape's body: iterated, the exposition text; gzipped(), the same text gzipped from pieces mostly
    compressed beforehand (the HTTP handler takes that instead of compressing the text)."""

    def __init__(self, exporter: KubeStateExporter, names: Sequence[str], openmetrics: bool) -> None:
        self.exporter, self.names, self.openmetrics = exporter, names, openmetrics

    def __iter__(self) -> Iterator[bytes]:
        for name in self.names:
            yield from write(self.exporter.generators[name], self.exporter.stores[name], self.openmetrics)
        if self.openmetrics:
            yield b"# EOF\n"

    def gzipped(self) -> Iterator[bytes]:
        """One gzip member: the compressed pieces of every family, cached per block of objects in the stores."""
        def pieces() -> Iterator[deflate.Piece | None]:
            for name in self.names:
                yield from write_gzipped(self.exporter.generators[name], self.exporter.stores[name],
                                         self.openmetrics)
            if self.openmetrics:
                yield EOF_PIECE

        return deflate.member(pieces())


class KubeStateExporter:
    """Stores and reflectors for the enabled resources; renders scrapes by joining stored bytes."""

    def __init__(self, api: client.ApiClient, resources: Sequence[str], namespaces: Sequence[str],
                 allowlists: Mapping[str, Allowlists], wanted, shard: Shard, page_size: int = 500,
                 namespaces_denylist: Sequence[str] = (), node: str | None = None, use_cache: bool = False,
                 custom_specs: Sequence[ResourceSpec] = ()) -> None:
        """`custom_specs`: resources beyond the built-in ones (custom resource state), listed and watched alike."""
        self.telemetry = Telemetry()
        self.health = ApiServerHealth(getattr(getattr(api, "configuration", None), "host", "") or "")
        self.shard = shard
        self.generators: dict[str, list[FamilyGenerator]] = {}
        self.stores: dict[str, list[MetricsStore]] = {}
        self.reflectors: list[Reflector] = []
        # Pages in flight at once, across resources: more only hold more parsed JSON (the GIL renders one at a
        # time); a few keep the API server's answers overlapping the rendering.
        list_slots = threading.Semaphore(LIST_PAGES_AT_ONCE)
        specs = {**{name: RESOURCES[name] for name in resources}, **{spec.name: spec for spec in custom_specs}}
        for name in sorted(specs):
            spec: ResourceSpec = specs[name]
            generators = [g for g in spec.families(allowlists.get(name, Allowlists())) if wanted(g)]
            self.generators[name] = generators
            scopes = list(namespaces) if namespaces and spec.namespaced else [None]
            selectors = [f"metadata.namespace!={ns}" for ns in namespaces_denylist] if spec.namespaced else []
            if node is not None and name == "pods":
                selectors.append(f"spec.nodeName={node}")  # "" selects the pods no node took yet
            self.stores[name] = []
            for scope in scopes:
                store = MetricsStore(spec, generators)
                self.stores[name].append(store)
                self.reflectors.append(Reflector(spec, scope, api, store, shard, self.telemetry, page_size=page_size,
                                                 field_selector=",".join(selectors), use_cache=use_cache,
                                                 health=self.health, list_slots=list_slots))

    def start(self) -> None:
        for reflector in self.reflectors:
            reflector.start()

    def stop(self) -> None:
        for reflector in self.reflectors:
            reflector.stop()

    def reshard(self) -> None:
        """The shard changed (--auto-sharding): every store is rebuilt from a fresh list."""
        for reflector in self.reflectors:
            reflector.relist()

    def ready(self) -> bool:
        """Ready once every resource finished its first list, and while none keeps failing to list/watch."""
        return all(reflector.synced.is_set() and not reflector.stalled for reflector in self.reflectors)

    def scrape(self, openmetrics: bool, only: set[str] | None = None, exclude: set[str] | None = None
               ) -> Scrape:
        names = [name for name in self.generators
                 if not (only and name not in only) and not (exclude and name in exclude)]
        return Scrape(self, names, openmetrics)

    def telemetry_families(self):
        t = self.telemetry
        with t.lock:
            lists = counter("kube_state_metrics_list_total", "Number of total resource list in kube-state-metrics",
                            ["resource", "result"])
            for (resource, result), value in sorted(t.lists.items()):
                lists.add_metric([resource, result], value)
            watches = counter("kube_state_metrics_watch_total", "Number of total resource watches in "
                              "kube-state-metrics", ["resource", "result"])
            for (resource, result), value in sorted(t.watches.items()):
                watches.add_metric([resource, result], value)
            events = counter("kube_state_metrics_watch_events_total", "Watch events applied to the metrics stores, "
                             "by resource and event type.", ["resource", "type"])
            for (resource, kind), value in sorted(t.events.items()):
                events.add_metric([resource, kind], value)
            synced = gauge("kube_state_metrics_last_sync_timestamp_seconds", "When each resource last finished a "
                           "full list.", ["resource"])
            for resource, value in sorted(t.last_sync.items()):
                synced.add_metric([resource], value)
        errors = counter("kube_state_metrics_render_errors_total", "Objects (or families of an object) that could "
                         "not be rendered and were left out, by resource.", ["resource"])
        for name, stores in self.stores.items():
            errors.add_metric([name], float(sum(s.errors.total() for s in stores)))
        objects = gauge("kube_state_metrics_objects", "Objects held per resource (after sharding).", ["resource"])
        for name, stores in self.stores.items():
            objects.add_metric([name], float(sum(len(s) for s in stores)))
        shard = gauge("kube_state_metrics_shard_ordinal", "Current sharding ordinal/index of this instance",
                      ["shard_ordinal"])
        shard.add_metric([str(self.shard.shard)], float(self.shard.shard))
        return [lists, watches, events, synced, errors, objects, shard,
                gauge("kube_state_metrics_total_shards", "Number of total shards this instance is aware of",
                      value=float(self.shard.total))]
