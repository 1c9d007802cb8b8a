"""Take the README's screenshots of the operation page, light and dark.

    .venv/bin/python docs/screenshots/take.py

Runs tests/browser/test_screenshots.py (skipped in the normal test run) with
CONSOLE_SCREENSHOTS=1: pytest-django's live server and a fresh local sandbox, Debian's
Chromium at 1400x900, a Send of "Create a meter type", then operation-light.png and
operation-dark.png written next to this file. Needs /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    """Run the opt-in screenshot test from the project root; its exit code is ours."""
    import pytest

    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ["CONSOLE_SCREENSHOTS"] = "1"
    os.environ.setdefault("CONSOLE_REQUIRE_BROWSER", "1")  # a skip would leave old pictures
    return pytest.main(["-q", "-p", "no:cacheprovider", "tests/browser/test_screenshots.py"])


if __name__ == "__main__":
    raise SystemExit(main())
