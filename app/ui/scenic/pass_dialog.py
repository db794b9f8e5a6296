"""The annual-pass sale: product, the holder's ID number, payment, an optional photo.

The card on the reader is the card the pass is bound to; the service checks the holder's ID
number against the registration, copies the photo into the data directory and journals the
sale (:meth:`app.services.scenic.ScenicService.sell_pass`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QWidget

from app.domain.payment import PaymentMethod
from app.services.progress import CancelToken, Progress
from app.services.scenic import PassSale
from app.ui.context import UiContext
from app.ui.flows.base import FlowDialog, form_label, money, payment_label

PASS_PAYMENTS = (
    PaymentMethod.CARD_PURSE,
    PaymentMethod.CASH,
    PaymentMethod.BANK_CARD,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
)
PHOTO_PREVIEW = 160


class PassSaleDialog(FlowDialog):
    """Sell an annual pass to the holder of the card on the reader."""

    sold = Signal(object)  # PassSale

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("passSaleDialog")
        self.setWindowTitle(self.tr("Annual pass"))
        self.last_sale: PassSale | None = None
        self.photo_path: Path | None = None

        self.product = QComboBox(self)
        self.product.setObjectName("passProduct")
        for product in ctx.counter.scenic.catalogue().passes:
            self.product.addItem(f"{product.name}  {money(product.price_fen)}", product.code)
        self.id_number = QLineEdit(self)
        self.id_number.setObjectName("passIdNumber")
        self.id_number.setEchoMode(QLineEdit.EchoMode.Password)  # shoulder-surfing at the window
        self.payment = QComboBox(self)
        self.payment.setObjectName("passPayment")
        for method in PASS_PAYMENTS:
            self.payment.addItem(payment_label(method), str(method))
        self.photo_label = QLabel(self.tr("No photo"), self)
        self.photo_label.setObjectName("passPhoto")
        self.photo_label.setFixedSize(PHOTO_PREVIEW, PHOTO_PREVIEW)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setFrameShape(QLabel.Shape.StyledPanel)
        self.choose_photo = self.make_button(self.tr("Choose &photo…"), self._choose_photo)
        self.sell = self.make_button(self.tr("&Sell pass"), self._sell)
        self.close_button = self.make_button(self.tr("Close"), self.reject, lock=False)

        form = QFormLayout(self)
        form.addRow(form_label(self.tr("Pass pro&duct"), self.product, self), self.product)
        form.addRow(
            form_label(self.tr("Holder's &ID number"), self.id_number, self), self.id_number
        )
        form.addRow(form_label(self.tr("Pa&yment"), self.payment, self), self.payment)
        form.addRow(self.photo_label, self.choose_photo)
        form.addRow(self.sell, self.close_button)
        form.addRow(self.message)
        self.on_enter(self.id_number, self._sell)
        self.set_primary(self._sell)
        self.id_number.setFocus()

    def choose_photo_file(self, path: Path | None) -> None:
        """Attach ``path`` as the holder's photo (None: no photo); shows a preview."""
        self.photo_path = path
        pixmap = QPixmap(str(path)) if path is not None else QPixmap()
        if path is None or pixmap.isNull():
            self.photo_label.setPixmap(QPixmap())
            self.photo_label.setText(self.tr("No photo") if path is None else path.name)
            return
        self.photo_label.setPixmap(
            pixmap.scaled(
                PHOTO_PREVIEW,
                PHOTO_PREVIEW,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _choose_photo(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("The holder's photo"), "", self.tr("Photos (*.jpg *.jpeg *.png *.bmp)")
        )
        if name:
            self.choose_photo_file(Path(name))

    def _sell(self) -> None:
        who = self.actor_and_shift()
        if who is None or self.busy:
            return
        actor, shift = who
        code = str(self.product.currentData())
        id_number = self.id_number.text().strip()
        payment = str(self.payment.currentData())
        photo = self.photo_path
        if not id_number:
            self.say_problem(self.tr("Type the holder's ID number."))
            self.id_number.setFocus()
            return
        scenic = self.ctx.counter.scenic

        def work(token: CancelToken, progress: Progress) -> PassSale:
            card = self.ctx.open_card()
            return scenic.sell_pass(
                actor,
                shift.id,
                card,
                code,
                id_number,
                payment,
                photo,
                progress=progress,
                cancel=token,
            )

        self.run(work, self._sold, label=self.tr("Selling the annual pass"), on_card=True)

    def _sold(self, sale: PassSale) -> None:
        self.last_sale = sale
        self.id_number.clear()
        annual = sale.annual_pass
        self.say_done(
            self.tr("Annual pass {0} sold to card {1}: valid {2} to {3}.").format(
                annual.product_name,
                annual.card_serial,
                annual.valid_from.isoformat(),
                annual.valid_until.isoformat(),
            )
        )
        self.ctx.counter.sync_now()
        self.sold.emit(sale)
