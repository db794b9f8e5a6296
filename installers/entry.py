"""The bundle's entry script: ``citycard-counter`` frozen (see citycard-counter.spec)."""

import sys

from app.main import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
