"""What the benchmark scripts share: percentiles and a free loopback port."""

import socket


def percentile(values, share: float) -> float:
    """The value below which ``share`` of the values lie (nearest rank); NaN for none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def p95(values) -> float:
    return percentile(values, 0.95)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
