"""The bundle's trimmed ICU data (installers/trim_icu.py) answers as the full data in zh and en.

Qt is run twice on the same probe — collation of names (pinyin order), Chinese line breaking,
dates, currency and a time zone's name in zh_CN, a GB18030 converter — once with PySide6's own
``libicudata`` and once with the trimmed library preloaded; the answers must be identical. The
control: for German, which the trimmed data leaves out, the answer differs, so the trimmed
library really was the one loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installers"))
from trim_icu import trim  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux bundle's ICU")

_PROBE = r"""
import sys
from PySide6.QtCore import QCollator, QDate, QLocale, QStringEncoder, QTextBoundaryFinder, QTimeZone
loc = QLocale(sys.argv[1])
out = [loc.toString(QDate(2026, 12, 8), QLocale.FormatType.LongFormat)]
out.append(loc.toCurrencyString(1234.5))
out.append(str(sorted(["王芳", "李四", "张三", "阿姨"], key=QCollator(loc).sortKey)))
text = "城市一卡通充值成功，余额为一百元。City card top-up done."
finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, text)
breaks = []
while (at := finder.toNextBoundary()) != -1:
    breaks.append(at)
out.append(str(breaks))
zone = QTimeZone(b"Asia/Shanghai")
out.append(zone.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, loc))
out.append(str(QStringEncoder("GB18030").isValid()))
print("\n".join(out))
"""


def _probe(locale: str, preload: Path | None) -> str:
    env = dict(os.environ)
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, locale],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import PySide6  # noqa: PLC0415

    library = Path(PySide6.__file__).parent / "Qt" / "lib" / "libicudata.so.73"
    out = trim(library, tmp_path_factory.mktemp("icu"))
    assert out.stat().st_size < library.stat().st_size / 3
    return out


@pytest.mark.parametrize("locale", ["zh_CN", "en_US"])
def test_the_counters_languages_answer_as_with_the_full_data(trimmed: Path, locale: str) -> None:
    assert _probe(locale, trimmed) == _probe(locale, None)


def test_a_language_left_out_falls_back(trimmed: Path) -> None:
    assert _probe("de_DE", trimmed) != _probe("de_DE", None)
