"""Shared fixtures: Qt offscreen, virtual cards with a matching virtual PSAM/ISAM."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.card.issuer_keys import IssuerKeySet
from app.crypto.purse import PurseAlgorithm
from cardsim.card import VirtualCityCard
from cardsim.faults import FaultyCard
from cardsim.profile import HolderFields
from tests.support.cards import Rig, make_profile, make_sam_rig, rig_sam_profile


@pytest.fixture
def des_issuer() -> IssuerKeySet:
    return IssuerKeySet.generate(PurseAlgorithm.DES, 1)


@pytest.fixture
def sm4_issuer() -> IssuerKeySet:
    return IssuerKeySet.generate(PurseAlgorithm.SM4, 2)


@pytest.fixture
def make_rig(tmp_path, des_issuer, sm4_issuer):
    counter = iter(range(1000))

    def factory(
        issuer: IssuerKeySet | None = None,
        *,
        sam_issuers: list[IssuerKeySet] | None = None,
        sam_national: list[IssuerKeySet] | None = None,
        national_block: bool = False,
        **kwargs: object,
    ) -> Rig:
        issuer = issuer or des_issuer
        issuers = sam_issuers or [des_issuer, sm4_issuer]
        profile = make_profile(issuer, **kwargs)  # type: ignore[arg-type]
        path = tmp_path / f"card{next(counter)}.json"
        profile.save(path)
        card = VirtualCityCard.from_file(path)
        sam_profile = rig_sam_profile(issuers, sam_national, national_block=national_block)
        sam_rig = make_sam_rig(tmp_path / f"sam{next(counter)}.json", sam_profile)
        return Rig(card, FaultyCard(card), sam_rig.open(), issuer, path, sam_rig)

    return factory


@pytest.fixture
def rig(make_rig) -> Rig:
    return make_rig(holder=HolderFields(1, 0, "张三", "330102199001011234", 0))


@pytest.fixture(scope="session")
def pcscd():
    """A running pcscd whose vpcd listens; started for the session when none runs.

    Skips only when pcscd/vpcd are not installed (``make test`` installs them); installed but
    not working is a failure.
    """
    from cardsim.pcscd import PcscdError, ensure_pcscd, vpcd_installed  # noqa: PLC0415

    if not vpcd_installed():
        pytest.skip("pcscd with the vsmartcard vpcd driver is not installed")
    try:
        handle = ensure_pcscd()
    except PcscdError as exc:
        pytest.fail(str(exc))
    yield handle
    handle.stop()


@pytest.fixture
def small_fs(tmp_path):
    """A real 1 MiB file system (tmpfs), mounted for the test (skipped where mounting is denied)."""
    from tests.support.small_fs import mounted_tmpfs  # noqa: PLC0415

    with mounted_tmpfs(tmp_path / "small-fs", 1024) as where:
        yield where
