"""Prometheus metrics of the center (``GET /metrics``, text exposition format).

Each application has its own registry (tests run many centers in one process). Counters and
histograms are updated where things happen (batches, MAC2, settlement); gauges that describe the
database — ingest lag per device, quarantine and alarm counts, the connection pool — are read at
scrape time by :class:`CenterCollector`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.pool import QueuePool

from clearing.models import DeviceRow, QuarantineRow, RecordRow

if TYPE_CHECKING:
    from clearing.center import Center

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class CenterMetrics:
    """The registry of one center application and the instruments the code updates."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.records = Counter(
            "citycard_ingest_records",
            "Journal records accepted from each device",
            ["device"],
            registry=self.registry,
        )
        self.batches = Counter(
            "citycard_ingest_batches",
            "Journal batches received, by device and result",
            ["device", "result"],
            registry=self.registry,
        )
        self.quarantined = Counter(
            "citycard_ingest_quarantined_records",
            "Records quarantined at upload (held: authentic but the TAC fails)",
            ["device", "held"],
            registry=self.registry,
        )
        self.mac2_latency = Histogram(
            "citycard_mac2_latency_seconds",
            "Time to answer an online MAC2 request",
            ["result"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.settlement_duration = Histogram(
            "citycard_settlement_duration_seconds",
            "Time to compute a day's settlement",
            buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0),
            registry=self.registry,
        )
        self.risk_duration = Histogram(
            "citycard_risk_evaluation_seconds",
            "Time to run the risk rules after a batch",
            buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0),
            registry=self.registry,
        )

    def attach(self, center: Center) -> None:
        """Read the database's gauges at scrape time."""
        self.registry.register(CenterCollector(center))

    @contextmanager
    def timed(self, histogram: Histogram, **labels: str) -> Iterator[None]:
        """Observe the time the block takes (also when it raises)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            target = histogram.labels(**labels) if labels else histogram
            target.observe(time.perf_counter() - start)

    def exposition(self) -> bytes:
        """The text exposition of everything registered."""
        return generate_latest(self.registry)


class CenterCollector(Collector):
    """Gauges read from the database and the engine at scrape time."""

    def __init__(self, center: Center) -> None:
        self.center = center

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: the families are built at each scrape."""
        return []

    def collect(self) -> Iterable[Metric]:
        """Ingest lag, quarantine and alarm counts, connection pool use."""
        from clearing.risk.models import RiskAlarmRow  # noqa: PLC0415 - avoids an import cycle

        now = self.center.now_us()
        lag = GaugeMetricFamily(
            "citycard_ingest_lag_seconds",
            "Age of the newest record the center holds of each device",
            labels=["device"],
        )
        head = GaugeMetricFamily(
            "citycard_ingest_head_seq", "Last accepted seq of each device", labels=["device"]
        )
        quarantine = GaugeMetricFamily(
            "citycard_quarantine_records", "Quarantined records held", labels=["held"]
        )
        alarms = GaugeMetricFamily(
            "citycard_risk_alarms", "Risk alarms by rule and state", labels=["rule", "state"]
        )
        stored = GaugeMetricFamily("citycard_journal_records", "Journal records stored")
        with self.center.sessions.begin() as session:
            for device_id, seq, at_us in session.execute(
                select(DeviceRow.device_id, DeviceRow.head_seq, DeviceRow.head_at_us)
            ):
                head.add_metric([device_id], seq)
                if seq:
                    lag.add_metric([device_id], max(now - at_us, 0) / 1e6)
            for held, count in session.execute(
                select(QuarantineRow.held, func.count()).group_by(QuarantineRow.held)
            ):
                quarantine.add_metric(["true" if held else "false"], count)
            for rule, state, count in session.execute(
                select(RiskAlarmRow.rule, RiskAlarmRow.state, func.count()).group_by(
                    RiskAlarmRow.rule, RiskAlarmRow.state
                )
            ):
                alarms.add_metric([rule, state], count)
            stored.add_metric([], session.scalar(select(func.count()).select_from(RecordRow)) or 0)
        yield from (lag, head, quarantine, alarms, stored)
        yield from self._pool()

    def _pool(self) -> Iterable[Metric]:
        pool = self.center.engine.pool
        if not isinstance(pool, QueuePool):
            return
        family = GaugeMetricFamily(
            "citycard_db_pool_connections", "Database connection pool", labels=["state"]
        )
        family.add_metric(["checked_out"], pool.checkedout())
        family.add_metric(["idle"], pool.checkedin())
        family.add_metric(["size"], pool.size())
        family.add_metric(["overflow"], max(pool.overflow(), 0))
        yield family


_TIMED_PATHS = {
    "/v1/loads/authorize": "mac2",
    "/v1/settlement": "settlement",
    "/console/settlement": "settlement",
}


class RequestTimer:
    """ASGI middleware: times online MAC2 and settlement requests into the app's histograms."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass the request on; observe its duration when its path is one of the timed ones."""
        what = _TIMED_PATHS.get(scope.get("path", "")) if scope["type"] == "http" else None
        metrics: CenterMetrics | None = None
        if what is not None:
            metrics = getattr(scope["app"].state, "metrics", None) if "app" in scope else None
        if metrics is None:
            await self.app(scope, receive, send)
            return
        status: list[int] = [500]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        start = time.perf_counter()
        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - start
            if what == "mac2":
                result = "granted" if status[0] == 200 else f"refused_{status[0]}"
                metrics.mac2_latency.labels(result=result).observe(elapsed)
            elif status[0] == 200:
                metrics.settlement_duration.observe(elapsed)
