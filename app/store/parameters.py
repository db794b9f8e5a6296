"""The parameters in force on this counter (the last version the center sent, else defaults)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.parameters import Parameters
from app.store.database import Store
from app.store.models import ParametersRow


def current(store: Store) -> Parameters:
    """The newest stored parameters, or :meth:`Parameters.default` before the center sent any."""
    with store.reading() as s:
        row = s.scalars(select(ParametersRow).order_by(ParametersRow.version.desc())).first()
        document = None if row is None else row.document
    return Parameters.default() if document is None else Parameters.from_json(document)


def save(store: Store, parameters: Parameters, received_at_us: int) -> bool:
    """Keep ``parameters`` if newer than what is stored; whether it was."""
    parameters.validate()
    with store.session() as s:
        newest = s.scalars(select(ParametersRow.version).order_by(ParametersRow.version.desc()))
        top = newest.first()
        if top is not None and top >= parameters.version:
            return False
        s.add(
            ParametersRow(
                version=parameters.version,
                document=parameters.to_json(),
                received_at_us=received_at_us,
            )
        )
    return True
