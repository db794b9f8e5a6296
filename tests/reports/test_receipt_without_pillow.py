"""ESC/POS receipts print without pillow (the bundle leaves it out, issue 20), byte for byte.

A fresh interpreter that cannot import ``PIL`` builds the same receipt job as this process (which
can): the bytes must be identical, and python-escpos's image path must refuse clearly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.printing.escpos_receipt import receipt_job
from app.printing.receipt_layout import ReceiptLayout

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ReceiptLayout(
    heading="城市一卡通 City card",
    title="充值凭条 Top-up receipt",
    copy_mark=None,
    rows=(("卡号 Card", "3104000000000001"), ("金额 Amount", "￥100.00")),
    footer="谢谢 Thank you",
    journal_seq=7,
    copy_number=0,
)

_CHILD = r"""
import sys
class NoPillow:
    def find_spec(self, name, path=None, target=None):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("pillow is not in this bundle")
        return None
sys.meta_path.insert(0, NoPillow())
from app.printing.escpos_receipt import _escpos, receipt_job
from app.printing.receipt_layout import ReceiptLayout
layout = ReceiptLayout("城市一卡通 City card", "充值凭条 Top-up receipt", None,
                       (("卡号 Card", "3104000000000001"), ("金额 Amount", "￥100.00")),
                       "谢谢 Thank you", 7, 0)
job = receipt_job(layout)
assert not any(m == "PIL" or m.startswith("PIL.") for m in sys.modules), "pillow was imported"
try:
    _escpos().Dummy().image("photo.png")
except RuntimeError as exc:
    print("refused:", exc, file=sys.stderr)
else:
    raise SystemExit("the image path printed without pillow")
sys.stdout.write(job.hex())
"""


def test_a_receipt_without_pillow_is_the_same_bytes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "refused: this counter prints text receipts only" in done.stderr
    assert bytes.fromhex(done.stdout) == receipt_job(LAYOUT)
