"""``python -m riskkit.cli``: the ``riskkit`` command."""

import sys

from riskkit.cli import main

sys.exit(main())
