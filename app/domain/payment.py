"""How the customer paid: recorded on every money record of the journal."""

from __future__ import annotations

from enum import StrEnum


class PaymentMethod(StrEnum):
    """Payment methods a counter accepts (stored by value in the journal and sent to the center)."""

    CASH = "cash"
    BANK_CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BALANCE_TRANSFER = "balance_transfer"  # replacement/exchange: the balance of another card
    CARD_PURSE = "card_purse"  # scenic sales paid from the card's own purse
