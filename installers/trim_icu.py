"""A smaller ICU data library for the Linux bundle: the counter's languages only (issue 20).

PySide6's wheels ship ``libicudata.so.73``, 31 MiB of data for every language, script and
legacy code page, which Qt Core loads. The counter speaks Chinese and English and encodes its
receipts itself (GB18030, in Python), so the bundle gets the same library rebuilt from a subset
of the same data (ICU's own tools: ``icupkg`` lists and removes items, ``genccode`` turns the
package back into an object file that ``gcc`` links into a library with the same soname and the
same ``icudt73_dat`` symbol). Kept: every item that is not per-locale (normalisation, properties,
time zones, supplemental data, break rules), the locale data of root, English and Chinese, the
Chinese/Japanese dictionary for line breaking, and the Chinese and Unicode converters. Left out:
other locales' names, units, currencies, collations and number spell-outs, transliterators, the
Thai/Lao/Khmer/Burmese dictionaries and the other code pages.

Run by ``installers/citycard-counter.spec``: ``trim(original, work_dir) -> trimmed .so``. Needs
``icupkg``/``genccode`` (Debian: icu-devtools), ``nm``/``readelf`` (binutils) and ``gcc``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

# per-locale items kept: root and the languages the counter offers
KEEP_LOCALES = re.compile(
    r"(root|en|en_001|en_150|en_GB|en_US|en_US_POSIX|zh|zh_CN|zh_Hans|zh_Hans_CN)"
)
LOCALE_NAME = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]*)*")  # also "de_": aliases
DROP_TREES = ("translit/",)
DROP_DICTS = ("burmesedict.dict", "khmerdict.dict", "laodict.dict", "thaidict.dict")
KEEP_CONVERTERS = ("gb18030", "ibm-1383_", "ibm-1386_", "ibm-5478_", "windows-936")


def _run(*args: str) -> str:
    # the build's own tools on the build's own files
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def _data_blob(library: Path) -> tuple[str, bytes]:
    """The ICU common data (symbol ``icudtNN_dat``) inside ``library``, and its entry name."""
    symbols = _run("nm", "-D", "-S", str(library))
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+)_dat$", symbols, re.M)
    if match is None:
        raise SystemExit(f"{library}: no icudtNN_dat symbol")
    address, size, entry = int(match[1], 16), int(match[2], 16), match[3]
    sections = _run("readelf", "-S", "-W", str(library))
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            break
    else:
        raise SystemExit(f"{library}: no .rodata section")
    offset = address - section_address + section_offset
    return entry, library.read_bytes()[offset : offset + size]


def _unwanted(item: str) -> bool:
    if item.startswith(DROP_TREES) or item.endswith(DROP_DICTS):
        return True
    name = item.rsplit("/", 1)[-1]
    if name.endswith(".cnv"):
        return not name.startswith(KEEP_CONVERTERS)
    stem = name.removesuffix(".res")
    if name.endswith(".res") and LOCALE_NAME.fullmatch(stem):
        return not KEEP_LOCALES.fullmatch(stem)
    return False


def trim(library: Path, work: Path) -> Path:
    """Build the trimmed copy of ``library`` in ``work``; return its path (same file name)."""
    work.mkdir(parents=True, exist_ok=True)
    entry, blob = _data_blob(library)
    package = work / f"{entry}l.dat"
    package.write_bytes(blob)
    items = _run("icupkg", "-l", str(package)).split()
    removed = work / "removed.txt"
    removed.write_text("\n".join(i for i in items if _unwanted(i)) + "\n", encoding="ascii")
    # the package's file name is its name inside ICU (items are "icudt73l/…"): keep it
    trimmed = work / "trimmed" / package.name
    trimmed.parent.mkdir(exist_ok=True)
    # --ignore-deps: brkitr/root.res names the Thai/Lao/Khmer/Burmese dictionaries, which ICU
    # opens only to segment those scripts (without them it falls back to its rules)
    _run("icupkg", "--ignore-deps", "-r", str(removed), str(package), str(trimmed))
    _run("genccode", "-a", "gcc", "-e", entry, "-d", str(work), str(trimmed))
    [assembly] = work.glob("*.S")
    out = work / library.name
    _run(
        "gcc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(out),
        str(assembly),
    )  # fmt: skip
    return out


if __name__ == "__main__":
    source, directory = Path(sys.argv[1]), Path(sys.argv[2])
    result = trim(source, directory)
    before, after = source.stat().st_size / 2**20, result.stat().st_size / 2**20
    print(f"{result}: {after:.1f} MiB (was {before:.1f})")
