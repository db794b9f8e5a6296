"""Throughput of the OpenSSL crypto paths against gmssl's pure-Python references.

``python -m bench crypto`` prints one row per operation: operations per second on OpenSSL (the
production path), on gmssl (the test reference), and how many times faster OpenSSL is. DES has no
gmssl counterpart, so its row has a single figure. SM2 with the default ID runs on Tongsuo
(``tongsuopy``) when installed, against the gmssl reference path.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import app.crypto.sm2 as sm2_module
from app.crypto import pboc, pboc_sm4, reference
from app.crypto.sm2 import Sm2PrivateKey, sm2_verify
from app.crypto.sm3 import hmac_sm3, sm3_digest
from app.crypto.sm4 import sm4_encrypt_ecb

TARGET_SECONDS = 0.6  # per measurement; the whole run stays well under 30 s
CALIBRATE_SECONDS = 0.05


def ops_per_second(fn: Callable[[], object], target: float = TARGET_SECONDS) -> float:
    """Call ``fn`` repeatedly for about ``target`` seconds and return calls per second."""
    n = 1
    while True:  # calibrate: double until a batch takes long enough to time reliably
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= CALIBRATE_SECONDS:
            break
        n *= 2
    n = max(1, int(n * target / elapsed))
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def _fmt(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:,.1f}"


def run() -> None:
    key16 = bytes(range(16))
    msg64, msg4k = bytes(64), bytes(range(256)) * 16
    record = b"".join(i.to_bytes(4, "big") for i in range(50))  # ~200-byte journal record
    block = bytes(16)
    mac_data = bytes(range(24))
    session_key = pboc.load_session_key(key16, b"\x11\x22\x33\x44", 0)

    rows: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("SM3, 64 B", lambda: sm3_digest(msg64), lambda: reference.reference_sm3(msg64)),
        ("SM3, 4 KiB", lambda: sm3_digest(msg4k), lambda: reference.reference_sm3(msg4k)),
        (
            "HMAC-SM3, 200 B record",
            lambda: hmac_sm3(key16, record),
            lambda: reference.reference_hmac_sm3(key16, record),
        ),
        (
            "SM4-ECB, 1 block",
            lambda: sm4_encrypt_ecb(key16, block),
            lambda: reference.reference_sm4_ecb_encrypt(key16, block),
        ),
        (
            "SM4 purse MAC, 24 B",
            lambda: pboc_sm4.sm4_mac(key16, mac_data),
            lambda: reference.reference_sm4_cbc_encrypt(
                key16, bytes(16), pboc.pad_80(mac_data, 16)
            )[-16:][:4],
        ),
        ("PBOC DES MAC, 24 B (8-B key)", lambda: pboc.pboc_mac(session_key, mac_data), None),
        ("PBOC retail MAC, 24 B (16-B)", lambda: pboc.pboc_mac(key16, mac_data), None),
    ]

    print(f"{'operation':<30} {'OpenSSL ops/s':>14} {'gmssl ops/s':>12} {'speed-up':>9}")
    print("-" * 68)
    for name, fast, slow in rows:
        fast_rate = ops_per_second(fast)
        slow_rate = ops_per_second(slow) if slow is not None else None
        ratio = f"{fast_rate / slow_rate:,.0f}×" if slow_rate else "—"
        print(f"{name:<30} {_fmt(fast_rate):>14} {_fmt(slow_rate):>12} {ratio:>9}", flush=True)

    signer = Sm2PrivateKey.generate()
    message = record
    signature = signer.sign(message)
    fast_sign = ops_per_second(lambda: signer.sign(message))
    fast_verify = ops_per_second(lambda: sm2_verify(signer.public_key, message, signature))
    native, sm2_module._native = sm2_module._native, None  # the gmssl reference path
    try:
        slow_sign = ops_per_second(lambda: signer.sign(message))
        slow_verify = ops_per_second(lambda: sm2_verify(signer.public_key, message, signature))
    finally:
        sm2_module._native = native
    label = "Tongsuo" if native is not None else "gmssl"
    for name, fast_rate, slow_rate in (
        (f"SM2 sign ({label})", fast_sign, slow_sign),
        (f"SM2 verify ({label})", fast_verify, slow_verify),
    ):
        ratio = f"{fast_rate / slow_rate:,.0f}×"
        print(f"{name:<30} {_fmt(fast_rate):>14} {_fmt(slow_rate):>12} {ratio:>9}", flush=True)
