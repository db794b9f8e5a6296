"""The TAC of each uploaded load, checked with the issuer's keys (card-protocol.md).

A done ``load_outcome`` carries the TAC the card answered to CREDIT FOR LOAD:
``MAC(DTK, new balance ‖ online ATC ‖ amount ‖ 02 ‖ terminal id ‖ date ‖ time)`` under the card's
diversified TAC key. The center recomputes it from the intent — card serial, online ATC, amount
and, in the payload the top-up service writes, ``algorithm`` (purse algorithm id), ``key_version``,
``terminal_id`` (hex) and ``card_time`` (``YYYYMMDDhhmmss``, the time MAC2 covered) — and the
outcome's balance after. Only a card holding the issuer's keys can answer that TAC, so a load
whose TAC does not verify did not happen on a genuine card (or its record was made up).
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any

from app.card.sam import LoadAuthorization, SamKeyError
from app.card.session import PurseKeyRef
from app.crypto.purse import PurseAlgorithm
from app.journal.kinds import Outcome, RecordKind
from clearing.chain import IntentInfo
from clearing.keys.interface import IssuerKeys

CARD_TIME_FORMAT = "%Y%m%d%H%M%S"  # as the counter's load intent records it


def load_tac_problem(
    sam: IssuerKeys, columns: dict[str, Any], intent: IntentInfo | None
) -> str | None:
    """Why a done load's TAC fails (None: it verifies, or the record is not a done load)."""
    if columns["kind"] != RecordKind.LOAD_OUTCOME or intent is None:
        return None
    try:
        outcome = json.loads(columns["payload"]).get("outcome")
    except (ValueError, AttributeError):
        return None  # the chain check refuses such payloads before this
    if outcome != Outcome.DONE:
        return None
    tac: bytes | None = columns["tac"]
    if not tac:
        return "a completed load without the card's TAC"
    p = intent.payload_dict()
    amount = intent.amount_fen if intent.amount_fen is not None else columns["amount_fen"]
    after = columns["balance_after_fen"]
    try:
        auth = LoadAuthorization(
            serial=bytes.fromhex(str(intent.card_serial)),
            keys=PurseKeyRef(PurseAlgorithm(int(p["algorithm"])), int(p["key_version"])),
            random=b"",
            online_atc=int(str(intent.atc)),
            balance_fen=int(after) - int(amount),
            amount_fen=int(amount),
            terminal_id=bytes.fromhex(str(p["terminal_id"])),
            mac1=b"",
            when=datetime.strptime(str(p["card_time"]), CARD_TIME_FORMAT),
        )
        expected = sam.load_tac(auth)
    except SamKeyError as exc:
        return f"the load's TAC cannot be checked: {exc}"
    except (KeyError, ValueError, TypeError, OverflowError) as exc:
        return (
            "the load's TAC cannot be checked: its intent does not give the card's keys, ATC, "
            f"terminal or time ({exc.__class__.__name__}: {exc})"
        )
    if not hmac.compare_digest(expected, tac):
        return "TAC does not verify with the issuer's keys: no genuine card answered this load"
    return None
