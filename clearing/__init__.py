"""The reference clearing center (FastAPI): enrolment, uploads, ledgers, lists, settlement."""

__version__ = "0.1.0"
