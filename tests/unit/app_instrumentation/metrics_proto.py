"""An independent decoder of the protobuf exposition for tests: the `protobuf` package's message classes, built
at test time from io.prometheus.client's documented schema (metrics.proto as Prometheus reads it)."""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2
from google.protobuf.internal.decoder import _DecodeVarint32

F = descriptor_pb2.FieldDescriptorProto
OPTIONAL, REPEATED = F.LABEL_OPTIONAL, F.LABEL_REPEATED

# message -> [(field, number, type, label, message type)]
SCHEMA = {
    "LabelPair": [("name", 1, F.TYPE_STRING, OPTIONAL, None), ("value", 2, F.TYPE_STRING, OPTIONAL, None)],
    "Gauge": [("value", 1, F.TYPE_DOUBLE, OPTIONAL, None)],
    "Counter": [("value", 1, F.TYPE_DOUBLE, OPTIONAL, None), ("exemplar", 2, F.TYPE_MESSAGE, OPTIONAL, "Exemplar"),
                ("created_timestamp", 3, F.TYPE_MESSAGE, OPTIONAL, ".google.protobuf.Timestamp")],
    "Quantile": [("quantile", 1, F.TYPE_DOUBLE, OPTIONAL, None), ("value", 2, F.TYPE_DOUBLE, OPTIONAL, None)],
    "Summary": [("sample_count", 1, F.TYPE_UINT64, OPTIONAL, None), ("sample_sum", 2, F.TYPE_DOUBLE, OPTIONAL, None),
                ("quantile", 3, F.TYPE_MESSAGE, REPEATED, "Quantile")],
    "Untyped": [("value", 1, F.TYPE_DOUBLE, OPTIONAL, None)],
    "Histogram": [
        ("sample_count", 1, F.TYPE_UINT64, OPTIONAL, None), ("sample_count_float", 4, F.TYPE_DOUBLE, OPTIONAL, None),
        ("sample_sum", 2, F.TYPE_DOUBLE, OPTIONAL, None), ("bucket", 3, F.TYPE_MESSAGE, REPEATED, "Bucket"),
        ("created_timestamp", 15, F.TYPE_MESSAGE, OPTIONAL, ".google.protobuf.Timestamp"),
        ("schema", 5, F.TYPE_SINT32, OPTIONAL, None), ("zero_threshold", 6, F.TYPE_DOUBLE, OPTIONAL, None),
        ("zero_count", 7, F.TYPE_UINT64, OPTIONAL, None), ("zero_count_float", 8, F.TYPE_DOUBLE, OPTIONAL, None),
        ("negative_span", 9, F.TYPE_MESSAGE, REPEATED, "BucketSpan"),
        ("negative_delta", 10, F.TYPE_SINT64, REPEATED, None), ("negative_count", 11, F.TYPE_DOUBLE, REPEATED, None),
        ("positive_span", 12, F.TYPE_MESSAGE, REPEATED, "BucketSpan"),
        ("positive_delta", 13, F.TYPE_SINT64, REPEATED, None), ("positive_count", 14, F.TYPE_DOUBLE, REPEATED, None),
        ("exemplars", 16, F.TYPE_MESSAGE, REPEATED, "Exemplar")],
    "Bucket": [("cumulative_count", 1, F.TYPE_UINT64, OPTIONAL, None),
               ("cumulative_count_float", 4, F.TYPE_DOUBLE, OPTIONAL, None),
               ("upper_bound", 2, F.TYPE_DOUBLE, OPTIONAL, None),
               ("exemplar", 3, F.TYPE_MESSAGE, OPTIONAL, "Exemplar")],
    "BucketSpan": [("offset", 1, F.TYPE_SINT32, OPTIONAL, None), ("length", 2, F.TYPE_UINT32, OPTIONAL, None)],
    "Exemplar": [("label", 1, F.TYPE_MESSAGE, REPEATED, "LabelPair"), ("value", 2, F.TYPE_DOUBLE, OPTIONAL, None),
                 ("timestamp", 3, F.TYPE_MESSAGE, OPTIONAL, ".google.protobuf.Timestamp")],
    "Metric": [("label", 1, F.TYPE_MESSAGE, REPEATED, "LabelPair"), ("gauge", 2, F.TYPE_MESSAGE, OPTIONAL, "Gauge"),
               ("counter", 3, F.TYPE_MESSAGE, OPTIONAL, "Counter"), ("summary", 4, F.TYPE_MESSAGE, OPTIONAL, "Summary"),
               ("untyped", 5, F.TYPE_MESSAGE, OPTIONAL, "Untyped"),
               ("histogram", 7, F.TYPE_MESSAGE, OPTIONAL, "Histogram"),
               ("timestamp_ms", 6, F.TYPE_INT64, OPTIONAL, None)],
    "MetricFamily": [("name", 1, F.TYPE_STRING, OPTIONAL, None), ("help", 2, F.TYPE_STRING, OPTIONAL, None),
                     ("type", 3, F.TYPE_ENUM, OPTIONAL, "MetricType"),
                     ("metric", 4, F.TYPE_MESSAGE, REPEATED, "Metric"),
                     ("unit", 5, F.TYPE_STRING, OPTIONAL, None)],
}
METRIC_TYPES = ["COUNTER", "GAUGE", "SUMMARY", "UNTYPED", "HISTOGRAM", "GAUGE_HISTOGRAM"]


def _build():
    pool = descriptor_pool.DescriptorPool()
    pool.Add(descriptor_pb2.FileDescriptorProto.FromString(timestamp_pb2.DESCRIPTOR.serialized_pb))
    file = descriptor_pb2.FileDescriptorProto(name="io/prometheus/client/metrics.proto",
                                              package="io.prometheus.client", syntax="proto2",
                                              dependency=["google/protobuf/timestamp.proto"])
    enum = file.enum_type.add(name="MetricType")
    for number, name in enumerate(METRIC_TYPES):
        enum.value.add(name=name, number=number)
    for message, fields in SCHEMA.items():
        described = file.message_type.add(name=message)
        for name, number, kind, label, type_name in fields:
            field = described.field.add(name=name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = type_name if type_name.startswith(".") else f".io.prometheus.client.{type_name}"
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("io.prometheus.client.MetricFamily"))


MetricFamily = _build()


def decode(body: bytes) -> list:
    """The MetricFamily messages of a delimited protobuf body."""
    families, position = [], 0
    while position < len(body):
        length, position = _DecodeVarint32(body, position)
        families.append(MetricFamily.FromString(body[position:position + length]))
        position += length
    return families


def by_name(body: bytes) -> dict:
    return {family.name: family for family in decode(body)}


def native_buckets(spans, deltas) -> dict[int, int]:
    """{bucket index: count} from spans and deltas, as Prometheus reads them."""
    out, index, count, position = {}, 0, 0, 0
    for span in spans:
        index += span.offset  # the first from 0, the others from the end of the previous span
        for _ in range(span.length):
            count += deltas[position]
            position += 1
            if count:
                out[index] = count
            index += 1
    assert position == len(deltas), "more deltas than the spans cover"
    return out
