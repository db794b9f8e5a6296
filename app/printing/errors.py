"""A printer that could not print, or a printer setting that cannot work: said to the clerk."""

from __future__ import annotations

from app.domain.texts import ClerkFacingError


class PrinterError(ClerkFacingError):
    """The receipt did not come out (printer off, unplugged, out of paper, unreachable)."""

    advice = (
        "Check that the printer is switched on, connected and has paper, then print the receipt "
        "again (a reprint needs a supervisor's approval)."
    )


class PrinterSettingsError(ClerkFacingError):
    """The receipt printer chosen in the settings cannot be used as written."""

    advice = "Choose the receipt printer again in the settings."
