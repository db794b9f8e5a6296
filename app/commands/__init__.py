"""Command-line subcommands of ``citycard-counter`` (besides the window)."""
