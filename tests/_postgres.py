"""Throwaway database servers for the SQL tests: ``postgres_url`` and ``sqlite_url``.

``postgres_url`` (session scope) runs ``initdb`` and ``pg_ctl start`` in a fresh
temporary directory (trust authentication, a free TCP port on 127.0.0.1, the
unix socket in that directory), yields a SQLAlchemy URL
(``postgresql+psycopg2://postgres@127.0.0.1:PORT/postgres``) and stops the
server and removes the directory at the end of the session.

PostgreSQL refuses to run as root: when the tests run as root the server runs
as the ``postgres`` system user (``runuser -u postgres --``) in a directory that
user owns.

The fixture skips, with the reason, only when the PostgreSQL server binaries,
SQLAlchemy or the psycopg2 driver are missing (or, as root, there is no
``postgres`` user). When the environment variable ``CI`` is set it fails
instead of skipping: CI must run these tests. A server that is installed but
does not start is always an error, never a skip.

The binaries are found through ``$RISKKIT_PG_BINDIR``, ``pg_config --bindir``,
``/usr/lib/postgresql/*/bin`` (newest first) or ``initdb`` on ``PATH``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["find_postgres_bindir", "postgres_url", "sqlite_url"]


def _unavailable(reason: str) -> None:
    """Skip the test, or fail it when running in CI (``$CI`` set)."""
    message = f"PostgreSQL tests need {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(message)


def _has_server(bindir: str | os.PathLike[str]) -> bool:
    return all(os.access(Path(bindir, name), os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    candidates: list[str] = []
    if os.environ.get("RISKKIT_PG_BINDIR"):
        candidates.append(os.environ["RISKKIT_PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=False)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for candidate in candidates:
        if _has_server(candidate):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], as_user: list[str], what: str) -> None:
    result = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{result.stdout}\n{result.stderr}"
        )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL to a throwaway PostgreSQL server, for the whole session."""
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        _unavailable("SQLAlchemy (pip install 'riskkit[sql]')")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        _unavailable("the psycopg2 driver (pip install psycopg2-binary)")
    bindir = find_postgres_bindir()
    if bindir is None:
        _unavailable(
            "the PostgreSQL server binaries (initdb, pg_ctl, postgres; "
            "apt-get install postgresql, or set RISKKIT_PG_BINDIR)"
        )
        return  # pragma: no cover - _unavailable raises
    as_user: list[str] = []
    owner: tuple[int, int] | None = None
    if os.geteuid() == 0:
        import pwd

        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("a 'postgres' system user when running as root (PostgreSQL refuses to run as root)")
            return  # pragma: no cover
        runuser = shutil.which("runuser")
        if runuser is None:
            _unavailable("runuser to start PostgreSQL as the 'postgres' user when running as root")
            return  # pragma: no cover
        as_user = [runuser, "-u", "postgres", "--"]
        owner = (entry.pw_uid, entry.pw_gid)

    root = Path(tempfile.mkdtemp(prefix="riskkit-pg-"))
    if owner is not None:
        os.chown(root, *owner)
    data, log = root / "data", root / "server.log"
    started = False
    try:
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            as_user, "initdb",
        )
        last_error: RuntimeError | None = None
        for _attempt in range(3):  # a free port can be taken between the probe and the start
            port = _free_port()
            options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            try:
                _run(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                     "-o", options, "start"],
                    as_user, "pg_ctl start",
                )
            except RuntimeError as exc:
                server_log = log.read_text(errors="replace") if log.exists() else ""
                last_error = RuntimeError(f"{exc}\nserver log:\n{server_log}")
                continue
            started = True
            break
        if not started:
            assert last_error is not None
            raise last_error
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=120, check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL to an empty SQLite database file in ``tmp_path``."""
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        pytest.skip("SQLite tests need SQLAlchemy (pip install 'riskkit[sql]')")
    return f"sqlite:///{tmp_path / 'riskkit.db'}"
