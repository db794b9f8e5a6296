import threading

import pytest

from app.card.thread import CardThread, WrongThreadError


def test_jobs_run_in_order_on_the_card_thread():
    t = CardThread()
    try:
        seen = []
        futures = [
            t.submit(lambda i=i: seen.append((i, threading.current_thread().name)))
            for i in range(20)
        ]
        for f in futures:
            f.result(timeout=5)
        assert [i for i, _ in seen] == list(range(20))
        assert {name for _, name in seen} == {"card"}
        assert t.submit(t.is_current).result(timeout=5) is True
        assert not t.is_current()
        with pytest.raises(WrongThreadError):
            t.assert_on_card_thread()
        t.submit(t.assert_on_card_thread).result(timeout=5)
    finally:
        t.stop()


def test_exceptions_reach_the_caller():
    t = CardThread()
    try:

        def boom():
            raise ValueError("bad card")

        with pytest.raises(ValueError, match="bad card"):
            t.submit(boom).result(timeout=5)
        assert t.submit(lambda: 42).result(timeout=5) == 42
    finally:
        t.stop()
