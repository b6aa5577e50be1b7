"""What the benchmark scripts share: percentiles, a free loopback port, the search tables."""

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


def print_class_table(header: str, rows: list, cells) -> None:
    """The search benchmarks' table: ``header`` after the class and word-count columns, a rule,
    then a line per (class, words, result) row with ``cells(result)`` after the same columns."""
    header = f"{'class':7} {'words':>5} {header}"
    print(header)
    print("─" * len(header))
    for name, size, result in rows:
        if result is None:
            print(f"{name:7} {size:>5}  (no queries found)")
        else:
            print(f"{name:7} {size:>5} {cells(result)}")
