"""The UI tests' fixtures (defined in ui_support, which other modules may import directly)."""

from tests.ui.ui_support import main_window, ui_rig

__all__ = ["main_window", "ui_rig"]
