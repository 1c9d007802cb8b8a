"""`python -m console.sandbox`: run the sandbox without Django."""

import sys

from console.sandbox.cli import main

sys.exit(main())
