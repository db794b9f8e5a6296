"""The center renews an ISAM's offline brakes (``citycard-center isam-renewal``); the counter
passes the hex on (``cli isam-renew``, here straight to the chip): the ISAM accepts only the
center's MAC, and only once."""

from __future__ import annotations

import pytest

from app.card.inprocess import InProcessTransport
from app.card.operations import begin_load
from app.card.psam import ApduSam
from app.card.sam import OfflineLoadRefusedError, SamRefusedError
from app.crypto.isam import parse_renewal
from app.crypto.keystore import KdfParams
from cardsim.demo import KEYSTORE_NAME, create_demo
from cardsim.psam import VirtualPsam
from clearing.cli import main


def test_a_center_renewal_opens_the_isam_once(tmp_path, capsys, monkeypatch, make_rig):
    issuer = create_demo(tmp_path / "demo", "pw", kdf=KdfParams(1024, 1, 1))
    assert issuer.sam_path is not None
    sam = ApduSam.open(InProcessTransport(VirtualPsam.from_file(issuer.sam_path)))
    rig = make_rig(issuer.key_sets[0])  # a card of the demo issuer
    with pytest.raises(OfflineLoadRefusedError, match="heard"):
        sam.offline_load(begin_load(rig.open(), 1_000, sam.terminal_id, _now()))
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("pw\n", encoding="utf-8")
    passphrase.chmod(0o600)
    args = ["isam-renewal", "--issuer-keystore", str(tmp_path / "demo" / KEYSTORE_NAME)]
    args += ["--passphrase-file", str(passphrase)]
    assert main([*args, "--sam-serial", sam.serial_text]) == 0
    renewal = capsys.readouterr().out.strip()
    counter, when, mac = parse_renewal(renewal)
    sam.renew(counter, when, mac)
    status = sam.brake_status()
    assert status is not None and status.last_contact == when.hex()
    seq, mac2 = sam.offline_load(begin_load(rig.open(), 1_000, sam.terminal_id, _now()))
    assert seq == 1 and len(mac2) == 4
    with pytest.raises(SamRefusedError, match="used already"):
        sam.renew(counter, when, mac)
    # a renewal made for another SAM does not open this one
    assert main([*args, "--sam-serial", "00" * 10, "--counter", str(counter + 1)]) == 0
    other = parse_renewal(capsys.readouterr().out.strip())
    with pytest.raises(SamRefusedError, match="MAC"):
        sam.renew(*other)


def _now():
    from datetime import UTC, datetime, timedelta, timezone  # noqa: PLC0415

    china = timezone(timedelta(hours=8))
    return datetime.now(UTC).astimezone(china).replace(tzinfo=None, microsecond=0)
