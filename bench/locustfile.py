"""Locust users of the city-scale load test (run by ``bench/bench_load.py``, or by hand).

The plan file (``CITYCARD_LOAD_PLAN``, JSON, written by bench_load) gives every user its
enrolled device: the device key, and for a counter its journal backlog as batch bodies, for an
online user ready INITIALIZE FOR LOAD answers of its virtual card. Each user takes a device of
its kind from the plan in turn.

- ``BacklogCounter``: uploads its backlog batch by batch (SM2-signed), then polls the blacklist
  every few seconds, as a counter back from hours offline does.
- ``OnlineTopUp``: asks MAC2 (``POST /v1/loads/authorize``) about once a second, with the
  counter's 3 s timeout; an answer later than that counts as a failure ("over the timeout").
- ``BarePoster``: the baseline — POSTs the same batch bodies unsigned (the center reads them and
  answers 401 before any check or storage).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from typing import Any

from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

from app.crypto.request_signing import sign_request
from app.crypto.sm2 import Sm2PrivateKey

ONLINE_TIMEOUT = 3.0
_plan: dict[str, Any] = {}
_lock = threading.Lock()
_next: dict[str, itertools.count[int]] = {}


@events.init.add_listener
def _load_plan(**_kwargs: Any) -> None:
    with open(os.environ["CITYCARD_LOAD_PLAN"], encoding="utf-8") as plan:
        _plan.update(json.load(plan))
    # one user per device of the plan, whatever the weights
    BacklogCounter.fixed_count = BarePoster.fixed_count = len(_plan["counters"])
    OnlineTopUp.fixed_count = len(_plan["online"])


def _take(kind: str) -> dict[str, Any]:
    with _lock:
        counter = _next.setdefault(kind, itertools.count())
        devices = _plan[kind]
        return dict(devices[next(counter) % len(devices)])


def _signed(device: dict[str, Any], method: str, target: str, body: bytes) -> dict[str, str]:
    key = device.get("_key")
    if key is None:  # deriving the public key is costly: once per user
        key = device["_key"] = Sm2PrivateKey.from_secret(bytes.fromhex(device["key"]))
    headers = sign_request(key, device["device_id"], method, target, body)
    if body:
        headers["Content-Type"] = "application/json"
    return headers


class BacklogCounter(HttpUser):
    """A counter uploading its backlog, then polling the blacklist."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.device = _take("counters")
        self.batches: list[str] = self.device["batches"]
        self.next_batch = 0
        self.blacklist_version = 0

    @task
    def work(self) -> None:
        if self.next_batch < len(self.batches):
            body = self.batches[self.next_batch].encode()
            target = "/v1/journal/batches"
            with self.client.post(
                target,
                data=body,
                headers=_signed(self.device, "POST", target, body),
                name="upload batch",
                catch_response=True,
                timeout=120,
            ) as answer:
                if answer.status_code == 200:
                    self.next_batch += 1
                    answer.success()
                else:
                    answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")
            return
        target = f"/v1/blacklist?since={self.blacklist_version}"
        with self.client.get(
            target,
            headers=_signed(self.device, "GET", target, b""),
            name="blacklist poll",
            catch_response=True,
            timeout=30,
        ) as answer:
            if answer.status_code == 200:
                self.blacklist_version = int(answer.json()["version"])
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}")
        self.wait_time = between(2, 4)  # type: ignore[method-assign]


class OnlineTopUp(HttpUser):
    """A counter asking MAC2 while a clerk waits (its own pool: ``--online-host``)."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.device = _take("online")
        self.requests = iter(self.device["requests"])
        host = _plan.get("online_host")
        if host:
            self.client.base_url = host

    @task
    def authorize(self) -> None:
        document = next(self.requests, None)
        if document is None:
            raise StopUser()
        body = json.dumps(document).encode()
        target = "/v1/loads/authorize"
        with self.client.post(
            target,
            data=body,
            headers=_signed(self.device, "POST", target, body),
            name="online MAC2",
            catch_response=True,
            timeout=ONLINE_TIMEOUT,
        ) as answer:
            if answer.status_code == 200:
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")


class BarePoster(HttpUser):
    """The baseline: the same batch bodies POSTed unsigned (answered 401 unread)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.device = _take("counters")
        self.batches = self.device["batches"]
        self.next_batch = 0

    @task
    def post(self) -> None:
        if self.next_batch >= len(self.batches):
            raise StopUser()
        body = self.batches[self.next_batch].encode()
        with self.client.post(
            "/v1/journal/batches",
            data=body,
            name="bare POST",
            headers={"Content-Type": "application/json"},
            catch_response=True,
            timeout=120,
        ) as answer:
            if answer.status_code == 401:
                self.next_batch += 1
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}")
