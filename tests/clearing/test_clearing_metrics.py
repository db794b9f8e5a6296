"""The Prometheus endpoint: what it counts, and ``promtool check metrics`` accepts the scrape."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.clearing.support import batch, load

UPLOAD = "/v1/journal/batches"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_uploads_quarantine_mac2_and_settlement(client, device, tmp_path):
    journal = device.journal(tmp_path / "journal.sqlite3")
    load(journal, "0102030405060708", 1_000)
    load(journal, "0102030405060709", 2_000)
    assert device.request("POST", UPLOAD, batch(journal.records())).status_code == 200
    bad = dict(batch([load(journal, "01020304050607AA", 500)[0]])["records"][0])
    bad["mac"] = "00" * 32  # altered on the way: quarantined
    assert device.request("POST", UPLOAD, {"records": [bad]}).status_code == 200
    assert device.request("POST", "/v1/loads/authorize", {}).status_code == 422
    assert device.request("GET", "/v1/settlement?date=2026-11-28").status_code == 200
    journal.close()

    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = _samples(answer.text)
    dev = ("device", "DEV-1")
    assert got[("citycard_ingest_records_total", (dev,))] == 5
    assert got[("citycard_ingest_batches_total", (dev, ("result", "taken")))] == 2
    assert got[("citycard_ingest_quarantined_records_total", (dev, ("held", "false")))] == 1
    assert got[("citycard_ingest_head_seq", (dev,))] == 5  # genesis + two loads
    assert ("citycard_ingest_lag_seconds", (dev,)) in got
    assert got[("citycard_quarantine_records", (("held", "false"),))] == 1
    assert got[("citycard_journal_records", ())] == 5
    assert got[("citycard_mac2_latency_seconds_count", (("result", "refused_422"),))] == 1
    assert got[("citycard_settlement_duration_seconds_count", ())] == 1
    assert got[("citycard_db_pool_connections", (("state", "checked_out"),))] >= 0
    assert got[("citycard_risk_evaluation_seconds_count", ())] == 2


def test_promtool_accepts_the_scrape(client, device, tmp_path):
    """Skipped only where promtool is not installed (scripts/setup-system.sh installs it)."""
    journal = device.journal(tmp_path / "journal.sqlite3")
    load(journal, "0102", 1_000)
    assert device.request("POST", UPLOAD, batch(journal.records())).status_code == 200
    journal.close()
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    text = client.get("/metrics").text
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = subprocess.run(
        [promtool, "check", "metrics"],
        input=text + "# HELP citycard_up x\n# TYPE citycard_up counter\ncitycard_up 1\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert broken.returncode != 0  # the check can fail: it really reads what we send


def test_the_alert_rules_in_the_docs_pass_promtool(tmp_path):
    import re  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    docs = Path(__file__).resolve().parents[2] / "docs" / "clearing-center.md"
    found = re.search(r"```yaml\n(.*?)```", docs.read_text("utf-8"), re.S)
    assert found is not None
    rules = tmp_path / "rules.yml"
    rules.write_text(found.group(1), "utf-8")
    checked = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "6 rules found" in checked.stdout
