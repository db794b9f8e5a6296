"""Card errors: every status word and transport failure becomes one typed error, here only.

Each error carries what happened and what the clerk should do (``advice``), as English templates
with named values (:mod:`app.domain.texts`) that the window translates.
"""

from __future__ import annotations

from app.card.apdu import StatusWord
from app.domain.texts import ClerkFacingError, marked


class CardError(ClerkFacingError):
    """Anything that went wrong with the card. ``advice`` says what to do next."""

    advice = "Check the card and try again."

    def __init__(self, message: str, *, advice: str | None = None, **params: object) -> None:
        super().__init__(message, advice, **params)


class CardCommunicationError(CardError):
    """The card did not answer: it was removed, or the reader lost it mid-command.

    After such an error it is unknown whether the last command ran on the card.
    """

    advice = "Put the card back on the reader and keep it still."


class CardRemovedError(CardCommunicationError):
    """No card is on the reader (any more)."""


class ReaderUnavailableError(CardError):
    """The reader or the PC/SC service is not available."""

    advice = "Check that the reader is plugged in and the smart-card service is running."


class MalformedCardAnswerError(CardError):
    """The card answered something that does not parse as the protocol says."""

    advice = "The card may be damaged or not a city card; try again, then treat it as unreadable."


class UnknownCardError(CardError):
    """The card carries neither a City Union nor a T-Union purse."""

    advice = "This is not a city card this counter can serve."


class CardMacError(CardError):
    """A MAC1, MAC2 or TAC from the card does not verify: not genuine, or keys out of step."""

    advice = "Do not hand out a receipt; keep the card aside and call the supervisor."


class StatusWordError(CardError):
    """The card refused a command with a status word.

    ``message`` is a template over ``{command}`` (the command's name) and ``{status}`` (the status
    word in hex); ``sw`` and ``command`` stay on the error for the code that reads them.
    """

    def __init__(self, sw: int, command: str, message: str, *, advice: str | None = None) -> None:
        super().__init__(message, advice=advice, command=command, status=f"{sw:04X}")
        self.sw = sw
        self.command = command


class FileNotFoundOnCardError(StatusWordError):
    """6A82: the file or application is not on this card."""


class RecordNotFoundError(StatusWordError):
    """6A83: no such record (past the last one)."""


class ApplicationBlockedError(StatusWordError):
    """6A81 / 6283: the purse is blocked (or the function unsupported)."""

    advice = "The card is blocked. Check the loss report; the card cannot be used."


class ApplicationLockedError(StatusWordError):
    """9303: the application is permanently locked."""

    advice = "The card is permanently locked; offer a replacement."


class ConditionsNotSatisfiedError(StatusWordError):
    """6985: the command came out of order (e.g. CREDIT without INIT)."""

    advice = "Start the operation again with the card on the reader."


class SecureMessagingError(StatusWordError):
    """6988 / 6982 / 6984: the secure-messaging MAC or challenge was refused."""

    advice = "Keys may be out of step with the card; call the supervisor."


class TransactionMacError(StatusWordError):
    """9302: the card refused the transaction MAC (MAC2 or MAC1)."""

    advice = "Nothing was written to the card. Call the supervisor if this repeats."


class InsufficientBalanceError(StatusWordError):
    """9401: the purse balance is too low."""

    advice = "The balance is too low; top the card up first or pay another way."


class OutOfRangeError(StatusWordError):
    """9402: the counter or amount is out of range (e.g. balance ceiling)."""

    advice = "Choose a smaller amount; the card cannot hold more."


class KeyIndexError(StatusWordError):
    """9403: the key index is not supported by the card."""

    advice = "This card needs other keys than this counter holds; call the supervisor."


class MacNotAvailableError(StatusWordError):
    """9406: the card has no proof (MAC/TAC) for the requested transaction."""

    advice = "The transaction did not complete on the card."


class MalformedCommandError(StatusWordError):
    """6700, 6A86, 6B00, 6D00, 6E00: the card did not understand the command."""

    advice = "The card does not support this operation."


_UNEXPECTED = marked("{command}: unexpected status word (SW {status})")
_BY_SW: dict[int, tuple[type[StatusWordError], str]] = {
    StatusWord.FILE_NOT_FOUND: (
        FileNotFoundOnCardError,
        marked("{command}: file or application not found (SW {status})"),
    ),
    StatusWord.RECORD_NOT_FOUND: (
        RecordNotFoundError,
        marked("{command}: no such record (SW {status})"),
    ),
    StatusWord.FUNCTION_NOT_SUPPORTED: (
        ApplicationBlockedError,
        marked("{command}: application blocked (SW {status})"),
    ),
    StatusWord.SELECTED_FILE_INVALIDATED: (
        ApplicationBlockedError,
        marked("{command}: selected file invalidated (SW {status})"),
    ),
    StatusWord.CONDITIONS_NOT_SATISFIED: (
        ConditionsNotSatisfiedError,
        marked("{command}: conditions not satisfied (SW {status})"),
    ),
    StatusWord.SECURE_MESSAGING_MAC_WRONG: (
        SecureMessagingError,
        marked("{command}: secure-messaging MAC wrong (SW {status})"),
    ),
    StatusWord.SECURITY_STATUS_NOT_SATISFIED: (
        SecureMessagingError,
        marked("{command}: security status not met (SW {status})"),
    ),
    StatusWord.CHALLENGE_MISSING: (
        SecureMessagingError,
        marked("{command}: challenge missing or expired (SW {status})"),
    ),
    StatusWord.TRANSACTION_MAC_WRONG: (
        TransactionMacError,
        marked("{command}: transaction MAC wrong (SW {status})"),
    ),
    StatusWord.APPLICATION_LOCKED: (
        ApplicationLockedError,
        marked("{command}: application permanently locked (SW {status})"),
    ),
    StatusWord.INSUFFICIENT_BALANCE: (
        InsufficientBalanceError,
        marked("{command}: insufficient balance (SW {status})"),
    ),
    StatusWord.COUNTER_OR_AMOUNT_OUT_OF_RANGE: (
        OutOfRangeError,
        marked("{command}: counter or amount out of range (SW {status})"),
    ),
    StatusWord.KEY_INDEX_NOT_SUPPORTED: (
        KeyIndexError,
        marked("{command}: key index not supported (SW {status})"),
    ),
    StatusWord.MAC_NOT_AVAILABLE: (
        MacNotAvailableError,
        marked("{command}: requested MAC not available (SW {status})"),
    ),
    StatusWord.WRONG_LENGTH: (
        MalformedCommandError,
        marked("{command}: wrong length (SW {status})"),
    ),
    StatusWord.INCORRECT_P1_P2: (
        MalformedCommandError,
        marked("{command}: incorrect P1/P2 (SW {status})"),
    ),
    StatusWord.WRONG_OFFSET: (
        MalformedCommandError,
        marked("{command}: offset outside the file (SW {status})"),
    ),
    StatusWord.INS_NOT_SUPPORTED: (
        MalformedCommandError,
        marked("{command}: instruction not supported (SW {status})"),
    ),
    StatusWord.CLA_NOT_SUPPORTED: (
        MalformedCommandError,
        marked("{command}: class not supported (SW {status})"),
    ),
}


def error_for_status(sw: int, command: str) -> StatusWordError:
    """The typed error for a non-9000 status word answered to ``command``."""
    cls, text = _BY_SW.get(sw, (StatusWordError, _UNEXPECTED))
    return cls(sw, command, text)


def check_status(sw: int, command: str) -> None:
    """Raise the typed error unless ``sw`` is 9000."""
    if sw != StatusWord.OK:
        raise error_for_status(sw, command)
