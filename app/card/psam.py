"""The counter's SAM: a PSAM (optionally also an ISAM) spoken to in APDUs.

:class:`ApduSam` implements :class:`app.card.sam.Sam` over any
:class:`~app.card.transport.CardTransport` — a second PC/SC connection to the reader's SAM slot
in production (a hardware PSAM, or the virtual one on "Virtual PCD 00 01"), the virtual PSAM
in process in tests. The counter sends data and gets MACs and verdicts back; no command of the
PSAM outputs a key (docs/virtual-sam.md lists the commands and status words).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.card.apdu import CommandApdu, ResponseApdu
from app.card.errors import CardCommunicationError, CardError, CardMacError
from app.card.files import encode_bcd_datetime
from app.card.sam import (
    LoadAuthorization,
    OfflineLoadRefusedError,
    PurchaseAuthorization,
    SamKeyError,
    SamKeyInfo,
    SamRefusedError,
)
from app.card.session import PurseKeyRef
from app.card.transport import ApduChannel, CardTransport
from app.crypto.purse import PurseAlgorithm
from app.domain.card import CardKeyKind, TransactionType
from app.domain.texts import marked

PSAM_ADF = b"\x10\x01"
KEY_USAGE_TAC = 0x44
KEY_USAGE_BLOCK = 0x45
MAC_WITH_ICV = 0x05
MAC_VERIFY = 0x80  # ours: the SAM checks a TAC and outputs nothing

SW_OK = 0x9000
SW_KEY_NOT_FOUND = 0x6A88
SW_MAC_WRONG = 0x9302
SW_CONDITIONS = 0x6985
SW_INS_NOT_SUPPORTED = 0x6D00
SW_PER_LOAD_CAP = 0x9402
SW_OFFLINE_TOTAL = 0x6F01
SW_OFFLINE_COUNT = 0x6F02
SW_OFFLINE_AGE = 0x6F03
SW_WRONG_DATA = 0x6A80  # the ISAM: a card time earlier than one it saw (its time only goes on)
KEY_DIRECTORY_P1 = 0x98  # READ BINARY of file 0x18 (ours): the key sets the SAM holds
DIRECTORY_NATIONAL = 0x01
DIRECTORY_BLOCK = 0x02


class SamError(CardError):
    """The SAM in the reader's SAM slot answered something the counter cannot use."""

    advice = "Check the SAM in the reader's SAM slot; call the supervisor."


class SamCommunicationError(CardCommunicationError):
    """The SAM gave no answer (removed, its answer lost): what it did is not known here.

    A CardCommunicationError, so that a money step treats it as an unknown outcome: an intent
    already journaled stays open and the card's next tap settles it from the card's own proof.
    """

    advice = "Check that the SAM sits in the reader's SAM slot; then put the card back."


@dataclass(frozen=True)
class OfflineBrakeStatus:
    """The ISAM's offline brakes and how much of them is used (``80 34``)."""

    per_load_cap_fen: int
    total_cap_fen: int
    count_cap: int
    max_age_s: int
    used_fen: int
    used_count: int
    last_contact: str | None  # YYYYMMDDhhmmss, None before the first renewal
    load_counter: int
    renewal_counter: int


class ApduSam:
    """A PSAM behind a transport; opened with :meth:`open` (selects, reads its files)."""

    def __init__(
        self,
        channel: ApduChannel,
        serial: bytes,
        terminal_id: bytes,
        key_sets: tuple[SamKeyInfo, ...] = (),
    ) -> None:
        self._channel = channel
        self._serial = serial
        self._terminal_id = terminal_id
        self._lost = False  # the SAM went silent: reconnect and select again before the next
        self._key_sets = key_sets

    @classmethod
    def open(cls, transport: CardTransport) -> ApduSam:
        """Read the SAM's files, select the purchase application.

        Files: serial (0x15), terminal id (0x16) and the key directory (0x18, ours; a SAM
        without it is taken to hold no national keys).
        """
        channel = ApduChannel(transport)
        serial = _data(channel.send(CommandApdu(0x00, 0xB0, 0x95, 0x00, le=0x0E)), "READ 0x15")
        terminal = _data(channel.send(CommandApdu(0x00, 0xB0, 0x96, 0x00, le=0x06)), "READ 0x16")
        if len(terminal) != 6 or len(serial) < 10:
            raise SamError("the SAM's files 0x15/0x16 are not a PSAM's")
        directory = channel.send(
            CommandApdu(0x00, 0xB0, KEY_DIRECTORY_P1, 0x00, le=256, name="READ 0x18")
        )
        key_sets = _key_directory(directory.data) if directory.sw == SW_OK else ()
        answer = channel.send(CommandApdu(0x00, 0xA4, 0x00, 0x00, PSAM_ADF, name="SELECT 1001"))
        _data(answer, "SELECT 1001")
        return cls(channel, serial[:10], terminal, key_sets)

    def __repr__(self) -> str:
        return f"ApduSam(serial {self.serial_text})"

    @property
    def serial_text(self) -> str:
        """The SAM serial number (status bar, evidence)."""
        return self._serial.hex().upper()

    @property
    def terminal_id(self) -> bytes:
        """See :attr:`app.card.sam.Sam.terminal_id`."""
        return self._terminal_id

    @property
    def key_sets(self) -> tuple[SamKeyInfo, ...]:
        """See :attr:`app.card.sam.Sam.key_sets` (file 0x18, read when opened)."""
        return self._key_sets

    @property
    def channel(self) -> ApduChannel:
        """The APDU channel (its ``exchanges`` count the SAM's commands)."""
        return self._channel

    def _send(self, command: CommandApdu) -> ResponseApdu:
        try:
            if self._lost:
                self._reselect()
            return self._channel.send(command)
        except CardCommunicationError as exc:
            self._lost = True
            raise SamCommunicationError(
                "the SAM did not answer {command}: {reason}",
                command=command.label,
                reason=str(exc),
            ) from exc

    def _reselect(self) -> None:
        """After a silence: reconnect (a PC/SC transport), check it is the same SAM, select."""
        reconnect = getattr(self._channel.transport, "connect", None)
        if callable(reconnect):
            reconnect()
        serial = self._channel.send(CommandApdu(0x00, 0xB0, 0x95, 0x00, le=0x0E))
        if _data(serial, "READ 0x15")[:10] != self._serial:
            raise SamError("another SAM was put in the reader's SAM slot")
        _data(self._channel.send(CommandApdu(0x00, 0xA4, 0, 0, PSAM_ADF)), "SELECT 1001")
        self._lost = False

    # -- loads (ISAM) ------------------------------------------------------------------------

    def offline_load(self, auth: LoadAuthorization) -> tuple[int, bytes]:
        """See :meth:`app.card.sam.Sam.offline_load` (``80 30``, our ISAM command)."""
        self._require_terminal(auth.terminal_id)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            _serial8(auth.serial)
            + bytes((int(auth.keys.algorithm), auth.keys.key_version))
            + auth.random
            + auth.online_atc.to_bytes(2, "big")
            + auth.balance_fen.to_bytes(4, "big")
            + auth.amount_fen.to_bytes(4, "big")
            + day
            + time
            + auth.mac1
        )
        answer = self._send(CommandApdu(0x80, 0x30, 0, 0, data, le=8, name="ISAM LOAD"))
        if answer.sw == SW_INS_NOT_SUPPORTED:
            raise OfflineLoadRefusedError(
                "This counter's SAM cannot authorise top-ups offline (it has no ISAM role)."
            )
        if answer.sw in _BRAKES:
            raise OfflineLoadRefusedError(_BRAKES[answer.sw])
        if answer.sw == SW_MAC_WRONG:
            raise CardMacError("the card's MAC1 does not verify: not a genuine card, or wrong keys")
        data = _checked(answer, "ISAM LOAD", auth.keys)
        return int.from_bytes(data[:4], "big"), data[4:8]

    def brake_status(self) -> OfflineBrakeStatus | None:
        """The ISAM's brakes (``80 34``); None when this SAM has no ISAM role."""
        answer = self._send(CommandApdu(0x80, 0x34, 0, 0, le=35, name="ISAM STATUS"))
        if answer.sw == SW_INS_NOT_SUPPORTED:
            return None
        d = _data(answer, "ISAM STATUS")
        contact = d[20:27]
        return OfflineBrakeStatus(
            per_load_cap_fen=int.from_bytes(d[0:4], "big"),
            total_cap_fen=int.from_bytes(d[4:8], "big"),
            count_cap=int.from_bytes(d[8:10], "big"),
            max_age_s=int.from_bytes(d[10:14], "big"),
            used_fen=int.from_bytes(d[14:18], "big"),
            used_count=int.from_bytes(d[18:20], "big"),
            last_contact=None if contact == bytes(7) else contact.hex(),
            load_counter=int.from_bytes(d[27:31], "big"),
            renewal_counter=int.from_bytes(d[31:35], "big"),
        )

    def renew(self, counter: int, when: bytes, mac: bytes) -> None:
        """Pass the center's MAC'd renewal (``80 32``) to the ISAM: its brakes start afresh."""
        data = counter.to_bytes(4, "big") + when + mac
        answer = self._send(CommandApdu(0x80, 0x32, 0, 0, data, name="ISAM RENEW"))
        if answer.sw == SW_MAC_WRONG:
            raise SamRefusedError("the ISAM refused the renewal: its MAC does not verify")
        if answer.sw == SW_CONDITIONS:
            raise SamRefusedError("the ISAM refused the renewal: it was used already")
        _data(answer, "ISAM RENEW")

    def check_load_tac(self, auth: LoadAuthorization, tac: bytes) -> None:
        """See :meth:`app.card.sam.Sam.check_load_tac` (``80 1A`` then ``80 FA 80``)."""
        self._tac_key(auth.serial, auth.keys, bytes(8))
        self._verify(_load_tac_input(auth), tac, "the card's TAC for the load does not verify")

    def load_tac(self, auth: LoadAuthorization) -> bytes:
        """See :meth:`app.card.sam.Sam.load_tac` (``80 1A`` then ``80 FA 00``)."""
        self._tac_key(auth.serial, auth.keys, bytes(8))
        return self._recompute(_load_tac_input(auth), auth.keys)

    # -- purchases ---------------------------------------------------------------------------

    def purchase_mac1(self, auth: PurchaseAuthorization) -> tuple[int, bytes]:
        """See :meth:`app.card.sam.Sam.purchase_mac1` (``80 70 00 00 24``)."""
        self._require_terminal(auth.terminal_id)
        day, time = encode_bcd_datetime(auth.when)
        data = (
            auth.random
            + auth.offline_atc.to_bytes(2, "big")
            + auth.amount_fen.to_bytes(4, "big")
            + bytes((auth.transaction_type,))
            + day
            + time
            + bytes((auth.keys.key_version, int(auth.keys.algorithm)))
            + _serial8(auth.serial)
            + auth.diversifier
            + auth.card_data
        )
        answer = self._send(CommandApdu(0x80, 0x70, 0, 0, data, le=8, name="PSAM MAC1"))
        out = _checked(answer, "PSAM MAC1", auth.keys)
        return int.from_bytes(out[:4], "big"), out[4:8]

    def verify_purchase(self, auth: PurchaseAuthorization, mac2: bytes, tac: bytes) -> None:
        """See :meth:`app.card.sam.Sam.verify_purchase` (``80 72``, then the TAC check)."""
        answer = self._send(CommandApdu(0x80, 0x72, 0, 0, mac2, name="PSAM MAC2"))
        if answer.sw == SW_MAC_WRONG:
            raise CardMacError("the card's purchase MAC2 does not verify")
        _data(answer, "PSAM MAC2")
        self.check_purchase_tac(auth, tac)

    def check_purchase_tac(self, auth: PurchaseAuthorization, tac: bytes) -> None:
        """See :meth:`app.card.sam.Sam.check_purchase_tac`."""
        self._tac_key(auth.serial, auth.keys, auth.diversifier)
        self._verify(_purchase_tac_input(auth), tac, "the card's purchase TAC does not verify")

    def purchase_tac(self, auth: PurchaseAuthorization) -> bytes:
        """See :meth:`app.card.sam.Sam.purchase_tac` (after a tear; only this SAM's own)."""
        self._tac_key(auth.serial, auth.keys, auth.diversifier)
        return self._recompute(_purchase_tac_input(auth), auth.keys)

    # -- block -------------------------------------------------------------------------------

    def secure_messaging_mac(
        self,
        serial: bytes,
        key_version: int,
        kind: CardKeyKind,
        challenge: bytes,
        data: bytes,
        diversifier: bytes = bytes(8),
    ) -> bytes:
        """See :meth:`app.card.sam.Sam.secure_messaging_mac`: the block MAC only."""
        if kind is not CardKeyKind.DABK:
            raise SamKeyError(
                "this counter's SAM holds no {kind} keys: only the clearing center can do that",
                kind=kind.value.upper(),
            )
        national = any(i.national and i.keys.key_version == key_version for i in self._key_sets)
        key_data = _serial8(serial) + (diversifier if national else b"")
        init = CommandApdu(0x80, 0x1A, KEY_USAGE_BLOCK, key_version, key_data)
        _checked(self._send(init), "PSAM KEY INIT", None, key_version)
        if len(challenge) != 4:
            raise ValueError("a block MAC's challenge is 4 bytes")
        # the SAM pads the challenge to its key's block size for the ICV
        answer = self._send(CommandApdu(0x80, 0xFA, MAC_WITH_ICV, 0, challenge + data, le=4))
        return _data(answer, "PSAM BLOCK MAC")[:4]

    # -- helpers -----------------------------------------------------------------------------

    def _require_terminal(self, terminal_id: bytes) -> None:
        if terminal_id != self._terminal_id:
            raise SamError(
                "terminal {terminal} is not this SAM's terminal {sam}",
                terminal=terminal_id.hex().upper(),
                sam=self._terminal_id.hex().upper(),
            )

    def _tac_key(self, serial: bytes, keys: PurseKeyRef, diversifier: bytes) -> None:
        data = _serial8(serial) + diversifier
        init = CommandApdu(0x80, 0x1A, KEY_USAGE_TAC, keys.key_version, data, name="KEY INIT")
        _checked(self._send(init), "PSAM KEY INIT", keys)

    def _verify(self, tac_input: bytes, tac: bytes, message: str) -> None:
        command = CommandApdu(0x80, 0xFA, MAC_VERIFY, 0, tac_input + tac, name="PSAM TAC CHECK")
        answer = self._send(command)
        if answer.sw == SW_MAC_WRONG:
            raise CardMacError(message)
        _data(answer, "PSAM TAC CHECK")

    def _recompute(self, tac_input: bytes, keys: PurseKeyRef) -> bytes:
        answer = self._send(CommandApdu(0x80, 0xFA, 0x00, 0, tac_input, le=4, name="PSAM TAC"))
        if answer.sw == SW_CONDITIONS:
            raise SamRefusedError("the SAM gives no TAC for a transaction it did not take part in")
        return _checked(answer, "PSAM TAC", keys)[:4]


_BRAKES = {  # the ISAM's own brakes, by its status word (docs/virtual-sam.md)
    SW_PER_LOAD_CAP: marked("The SAM refuses offline top-ups above its per-load cap."),
    SW_OFFLINE_TOTAL: marked(
        "The SAM's offline top-up total since the last center contact is used up."
    ),
    SW_OFFLINE_COUNT: marked(
        "The SAM's offline top-up count since the last center contact is used up."
    ),
    SW_OFFLINE_AGE: marked("The SAM has not heard from the clearing center recently enough."),
    SW_WRONG_DATA: marked(
        "The SAM refuses a top-up dated before one it already authorised: check the PC's clock."
    ),
}


def _key_directory(raw: bytes) -> tuple[SamKeyInfo, ...]:
    """Parse file 0x18: algorithm(1) ‖ key version(1) ‖ flags(1) per key set."""
    if len(raw) % 3:
        raise SamError("the SAM's key directory (file 0x18) is not a whole number of entries")
    out = []
    for i in range(0, len(raw), 3):
        algorithm, version, flags = raw[i : i + 3]
        try:
            keys = PurseKeyRef(PurseAlgorithm(algorithm), version)
        except ValueError:
            continue  # an algorithm this counter does not speak: not for its cards
        out.append(
            SamKeyInfo(keys, bool(flags & DIRECTORY_NATIONAL), bool(flags & DIRECTORY_BLOCK))
        )
    return tuple(out)


def _serial8(serial: bytes) -> bytes:
    return serial[-8:].rjust(8, b"\x00")


def _load_tac_input(auth: LoadAuthorization) -> bytes:
    day, time = encode_bcd_datetime(auth.when)
    return (
        auth.balance_after_fen.to_bytes(4, "big")
        + auth.online_atc.to_bytes(2, "big")
        + auth.amount_fen.to_bytes(4, "big")
        + bytes((TransactionType.EP_LOAD,))
        + auth.terminal_id
        + day
        + time
    )


def _purchase_tac_input(auth: PurchaseAuthorization) -> bytes:
    day, time = encode_bcd_datetime(auth.when)
    return (
        auth.amount_fen.to_bytes(4, "big")
        + bytes((auth.transaction_type,))
        + auth.terminal_id
        + auth.terminal_seq.to_bytes(4, "big")
        + day
        + time
    )


def _data(answer: ResponseApdu, command: str) -> bytes:
    if answer.sw != SW_OK:
        raise SamError(
            "the SAM answered {command} with status {status}",
            command=command,
            status=f"{answer.sw:04X}",
        )
    return answer.data


def _checked(
    answer: ResponseApdu, command: str, keys: PurseKeyRef | None, version: int | None = None
) -> bytes:
    if answer.sw == SW_KEY_NOT_FOUND:
        shown = keys.key_version if keys is not None else version or 0
        raise SamKeyError("no keys of version {version} in this SAM", version=f"{shown:02X}")
    return _data(answer, command)
