"""The one description of an annual pass: written into journal payloads, read back from them.

A ``pass_sale`` record's payload, a ``pass_transfer`` record's ``pass`` and a purse payment's
reference all carry the same description; :func:`decode_pass` is the only reader of it. A pass
the clearing center holds arrives typed (:class:`CenterPass`) and is mapped by
:func:`from_center`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from app.domain.scenic import AnnualPass
from app.sync.passes import CenterPass


def describe_pass(
    annual_pass: AnnualPass, holder_masked: str, photo_sha256: str | None
) -> dict[str, object]:
    """The pass as journal payloads carry it (masked holder, photo by file name and hash)."""
    return {
        "pass_id": annual_pass.pass_id,
        "product": annual_pass.product_code,
        "name": annual_pass.product_name,
        "valid_from": annual_pass.valid_from.isoformat(),
        "valid_until": annual_pass.valid_until.isoformat(),
        "holder": holder_masked,
        "holder_tail": annual_pass.id_number_tail,
        "photo": None if annual_pass.photo_path is None else Path(annual_pass.photo_path).name,
        "photo_sha256": photo_sha256,
    }


def decode_pass(
    description: Mapping[str, object],
    card_serial: str,
    *,
    sale_seq: int = 0,
    holder_name: str | None = None,
    photos: Path | None = None,
) -> AnnualPass:
    """The pass a description names, bound to ``card_serial``.

    ``holder_name`` (the registered holder's name, when this counter knows it) replaces the
    masked one; with ``photos`` the photo's file name becomes its path there.
    """
    photo = description.get("photo")
    return AnnualPass(
        pass_id=str(description["pass_id"]),
        card_serial=card_serial,
        product_code=str(description["product"]),
        product_name=str(description["name"]),
        valid_from=date.fromisoformat(str(description["valid_from"])),
        valid_until=date.fromisoformat(str(description["valid_until"])),
        holder_name=holder_name
        if holder_name is not None
        else str(description.get("holder") or ""),
        id_number_tail=str(description.get("holder_tail") or ""),
        photo_path=None if not photo or photos is None else str(photos / str(photo)),
        sale_seq=sale_seq,
    )


def from_center(center_pass: CenterPass, serial: str) -> AnnualPass:
    """A pass the clearing center holds, as the entry check shows it (no photo, masked name)."""
    return AnnualPass(
        pass_id=center_pass.pass_id,
        card_serial=serial,
        product_code=center_pass.product_code,
        product_name=center_pass.product_name,
        valid_from=center_pass.valid_from,
        valid_until=center_pass.valid_until,
        holder_name=center_pass.holder,
        id_number_tail="",
        photo_path=None,
        sale_seq=0,
    )
