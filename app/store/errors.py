"""Errors of the counter store (operators, shifts, blacklist, parameters, holders)."""

from __future__ import annotations

from app.domain.texts import ClerkFacingError


class StoreError(ClerkFacingError):
    """Base of store errors; ``advice`` is what to do next (templates, see ClerkFacingError)."""

    advice = "Call a supervisor."


class StoreFileError(StoreError):
    """The counter store file is missing, empty, not SQLite or not a counter store."""

    advice = (
        "The file was not changed. Check the data directory, restore the counter store from its "
        "backup (or, on a new counter, run the first-run set-up), and start again."
    )


class StoreTooNewError(StoreFileError):
    """The counter store was written by a newer version of the application."""

    advice = "Install the application version that wrote it (or newer)."
