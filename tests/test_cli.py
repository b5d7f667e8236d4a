"""The riskkit command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from riskkit import cli


def test_demo_prints_riskiest_customers(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--customers", "300", "--top", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "riskiest customers" in out
    assert "max dpd" in out
    # header, rule, five rows
    table = out.split("riskiest customers by payment behaviour:\n", 1)[1].split("\n\n", 1)[0]
    assert len(table.splitlines()) == 7


def test_demo_ranks_by_oldest_overdue_first() -> None:
    from riskkit.datasets import make_portfolio

    portfolio, _ = make_portfolio(300, seed=1)
    ff = portfolio.features()
    order = cli.riskiest(ff, 20)
    dpd = ff["max_days_past_due"][order]
    assert list(dpd) == sorted(dpd, reverse=True)


@pytest.mark.parametrize("argv", [["demo", "--customers", "0"], ["demo", "--top", "x"], ["nope"], []])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_console_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "riskkit.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("riskkit ")
