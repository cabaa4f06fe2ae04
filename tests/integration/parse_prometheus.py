#!/usr/bin/python3
"""Parses a Prometheus text exposition on stdin with the Prometheus project's own Python parser
(Debian's python3-prometheus-client) and prints its families as JSON for the C++ tests:
[{"name", "type", "help", "samples": [{"name", "labels", "value"}]}], values as strings
("3.0", "inf"). Exits 1, naming the problem, when the text does not parse, a family has no
TYPE, or a histogram's buckets are not cumulative up to le="+Inf" equal to its _count."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def check_histogram(family):
    series = {}
    for sample in family.samples:
        key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": [], "count": None})
        if sample.name.endswith("_bucket"):
            entry["buckets"].append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            entry["count"] = sample.value
    for key, entry in series.items():
        buckets = entry["buckets"]
        if not buckets or not math.isinf(buckets[-1][0]):
            raise ValueError(f"{family.name}{dict(key)}: no le=\"+Inf\" bucket last")
        bounds = [bound for bound, _ in buckets]
        if bounds != sorted(bounds):
            raise ValueError(f"{family.name}{dict(key)}: bucket bounds out of order")
        values = [value for _, value in buckets]
        if values != sorted(values):
            raise ValueError(f"{family.name}{dict(key)}: bucket counts not cumulative")
        if entry["count"] != values[-1]:
            raise ValueError(f"{family.name}{dict(key)}: _count differs from the +Inf bucket")


def main():
    text = sys.stdin.read()
    out = []
    try:
        for family in text_string_to_metric_families(text):
            if family.type in ("unknown", "untyped"):
                raise ValueError(f"{family.name}: no TYPE line")
            if family.type == "histogram":
                check_histogram(family)
            out.append({
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": repr(float(s.value))}
                            for s in family.samples],
            })
    except ValueError as error:
        print(f"not valid Prometheus text: {error}", file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
