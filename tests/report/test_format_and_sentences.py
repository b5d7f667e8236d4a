"""Money, percentages, ticks and watchlist sentences, against hand-computed values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskkit.reporting import _format, _sentences


@pytest.mark.parametrize(
    ("value", "currency", "decimals", "expected"),
    [(1234567.891, "EUR", 0, "EUR 1,234,568"), (-2500.5, "USD", 2, "-USD 2,500.50"), (0.4, "EUR", 0, "EUR 0"),
     (-0.4, "EUR", 0, "EUR 0"), (999.5, "", 0, "1,000"), (math.nan, "EUR", 0, "n/a"), (math.inf, "EUR", 0, "n/a")],
)
def test_money(value: float, currency: str, decimals: int, expected: str) -> None:
    assert _format.money(value, currency, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(9_695_239.26, "EUR 9.7m"), (850_000, "EUR 850k"), (999_600, "EUR 1m"), (12_345, "EUR 12.3k"),
     (512, "EUR 512"), (-1_250_000_000, "-EUR 1.25bn")],
)
def test_money_short(value: float, expected: str) -> None:
    assert _format.money_short(value, "EUR") == expected


def test_percent() -> None:
    assert [_format.percent(x) for x in (0.6234, 0.0834, 0.0004, 1.5, 0.0)] == ["62%", "8.3%", "0.04%", "150%", "0%"]


@given(st.floats(-1e9, 1e9), st.floats(0, 1e9))
def test_nice_ticks_cover_the_range_with_round_steps(low: float, span: float) -> None:
    high = low + span
    ticks = _format.nice_ticks(low, high, 6)
    assert 2 <= len(ticks) <= 6
    assert ticks[0] <= low + 1e-9 * max(1.0, abs(low)) and ticks[-1] >= high - 1e-9 * max(1.0, abs(high))
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    # the step read back from two ticks carries their rounding (ulps of the bounds), relative to the step
    slack = max(1e-6, 4 * math.ulp(max(abs(low), abs(high))) / step)
    assert any(math.isclose(mantissa, m, rel_tol=slack) for m in (1, 2, 2.5, 5, 10))


def test_ticks_of_the_issue() -> None:
    # the issue's axis ran 9%, 17%, 26%, 34%: the same range now reads 0% .. 40% by 10%
    assert _format.nice_ticks(0, 0.34, 6) == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert [_format.tick_label(t, 0.1, "percent") for t in (0.0, 0.1, 0.4)] == ["0%", "10%", "40%"]


def test_sentence_says_what_changed_by_how_much_since_when() -> None:
    text = _sentences.sentence("Acme GmbH", "overdue_days", 62.0, 8.0, "2025-09-30",
                               _sentences.since_clause("2025-10-31", "2025-06-30", False))
    assert text == "Acme GmbH: oldest open invoice 62 days past due, up from 8 days on 30 Sep 2025; flagged since " \
                   "31 Oct 2025."


def test_infinite_litigation_reads_in_words() -> None:
    text = _sentences.sentence("Beta SA", "litigation_vs_net_assets", math.inf, 0.2, "2025-09-30", "new this month")
    assert "inf" not in text.replace("infinite", "")
    assert text == ("Beta SA: lawsuits of the last 12 months while its equity is zero or negative, up from 20% on "
                    "30 Sep 2025; new this month.")


def test_every_builtin_signal_has_a_phrase() -> None:
    from riskkit import signals

    assert set(signals.builtin()) <= set(_sentences.PHRASES)


def test_other_alerts_are_named_then_counted() -> None:
    text = _sentences.others_clause(["warning"] * 5 + ["info"], ["a", "b", "c", "d", "e", "f"], "critical")
    assert text == "Also warning: a, b, c and 2 more; 1 milder alert."
