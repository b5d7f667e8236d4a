"""Shared test set-up: make the tests' own helper modules (``_reference``) importable.

Also registers the database fixtures of ``_postgres`` (``postgres_url``,
``sqlite_url``) for every test.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from _postgres import postgres_url, sqlite_url  # noqa: F401
