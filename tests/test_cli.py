"""The riskkit command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from riskkit import cli


def test_demo_prints_riskiest_customers(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--customers", "300", "--top", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "1. Grades (5C card)" in out
    assert "max dpd" in out and "main reason" in out and "new limit" in out
    # header, rule, five rows (then the AUC line)
    table = out.split("recommended credit limit and terms:\n", 1)[1].split("\n\n", 1)[0]
    assert len([line for line in table.splitlines() if not line.startswith("   ")]) == 7
    assert "3. Watchlist" in out and "4. Collections worklist" in out
    worklist = out.split("4. Collections worklist", 1)[1]
    assert "if they order again" in worklist


def test_demo_ranks_lowest_score_first() -> None:
    from riskkit.datasets import make_portfolio
    from riskkit.scorecards import five_c

    portfolio, _ = make_portfolio(300, seed=1)
    ff = portfolio.features()
    score = five_c().score(ff).score
    order = cli.riskiest(score, ff, 20)
    assert list(score[order]) == sorted(score[order])
    assert score[order].max() <= np.sort(score)[19]


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
