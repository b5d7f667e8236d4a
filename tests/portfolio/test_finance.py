"""Tests for riskkit.finance: distress models against hand arithmetic, NaN rules, ratios."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskkit.finance as fin
from riskkit.errors import ValidationError

NAN = float("nan")

# One firm used throughout (amounts in thousands):
#   TA 1000, TL 400, WC 200, RE 300, EBIT 100, MVE 600, book equity 500, sales 1200,
#   CA 500, CL 250 (Zmijewski) / 300 (Ohlson), NI 50, NI_prev 30, FFO 80
# so X1 = 0.2, X2 = 0.3, X3 = 0.1, X5 = 1.2.
ALTMAN = dict(
    working_capital=200.0,
    retained_earnings=300.0,
    ebit=100.0,
    sales=1200.0,
    total_assets=1000.0,
    total_liabilities=400.0,
)
OHLSON = dict(
    total_assets=1000.0,
    total_liabilities=400.0,
    working_capital=200.0,
    current_assets=500.0,
    current_liabilities=300.0,
    net_income=50.0,
    net_income_prev=30.0,
    funds_from_operations=80.0,
)
ZMIJEWSKI = dict(
    net_income=50.0,
    total_assets=1000.0,
    total_liabilities=400.0,
    current_assets=500.0,
    current_liabilities=250.0,
)


def phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def test_all_lists_the_public_names():
    public = {
        name
        for name in vars(fin)
        if name.isidentifier() and not name.startswith("_")
        and name not in {"annotations", "math", "np", "npt", "Mapping", "MappingProxyType"}
        and getattr(getattr(fin, name), "__module__", fin.__name__) == fin.__name__
    }
    assert set(fin.__all__) == public
    assert fin.__all__ == sorted(fin.__all__)


def test_import_does_not_pull_in_scipy():
    code = "import sys, riskkit.finance, riskkit.receivables; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- Altman


def test_altman_z_hand_arithmetic():
    # X4 = MVE / TL = 600 / 400 = 1.5
    # Z = 1.2*0.2 + 1.4*0.3 + 3.3*0.1 + 0.6*1.5 + 1.0*1.2 = 0.24 + 0.42 + 0.33 + 0.9 + 1.2 = 3.09
    z = fin.altman_z(market_value_equity=600.0, **ALTMAN)
    assert float(z) == pytest.approx(3.09, abs=1e-12)
    assert z.shape == () and z.dtype == np.float64


def test_altman_z_private_hand_arithmetic():
    # X4 = book equity / TL = 500 / 400 = 1.25
    # Z' = 0.717*0.2 + 0.847*0.3 + 3.107*0.1 + 0.420*1.25 + 0.998*1.2
    #    = 0.1434 + 0.2541 + 0.3107 + 0.525 + 1.1976 = 2.4308
    z = fin.altman_z_private(book_equity=500.0, **ALTMAN)
    assert float(z) == pytest.approx(2.4308, abs=1e-12)


def test_altman_z_nonmfg_hand_arithmetic():
    # Z'' = 6.56*0.2 + 3.26*0.3 + 6.72*0.1 + 1.05*1.25 = 1.312 + 0.978 + 0.672 + 1.3125 = 4.2745
    args = {k: v for k, v in ALTMAN.items() if k != "sales"}
    z = fin.altman_z_nonmfg(book_equity=500.0, **args)
    assert float(z) == pytest.approx(4.2745, abs=1e-12)


def test_altman_second_firm_by_hand():
    # distressed firm: TA 500, TL 600, WC -50, RE -100, EBIT -20, book equity -100, sales 400
    # X1 = -0.1, X2 = -0.2, X3 = -0.04, X4 = -100/600 = -1/6, X5 = 0.8
    # Z' = 0.717*-0.1 + 0.847*-0.2 + 3.107*-0.04 + 0.420*(-1/6) + 0.998*0.8
    #    = -0.0717 - 0.1694 - 0.12428 - 0.07 + 0.7984 = 0.36302
    z = fin.altman_z_private(
        working_capital=-50.0,
        retained_earnings=-100.0,
        ebit=-20.0,
        book_equity=-100.0,
        sales=400.0,
        total_assets=500.0,
        total_liabilities=600.0,
    )
    assert float(z) == pytest.approx(0.36302, abs=1e-12)
    assert fin.altman_zone(z).tolist() == "distress"


@pytest.mark.parametrize(
    "func, extra",
    [
        (fin.altman_z, {"market_value_equity": 600.0}),
        (fin.altman_z_private, {"book_equity": 500.0}),
        (fin.altman_z_nonmfg, {"book_equity": 500.0}),
    ],
)
def test_altman_nan_and_zero_denominators(func, extra):
    kwargs = {**ALTMAN, **extra}
    if func is fin.altman_z_nonmfg:
        kwargs.pop("sales")
    names = list(kwargs)
    for name in names:
        with_nan = {**kwargs, name: np.array([kwargs[name], NAN])}
        got = func(**with_nan)
        assert not np.isnan(got[0]) and np.isnan(got[1]), name
    assert np.isnan(func(**{**kwargs, "total_assets": 0.0}))
    assert np.isnan(func(**{**kwargs, "total_liabilities": 0.0}))


def test_altman_broadcasts_columns():
    z = fin.altman_z_private(
        working_capital=np.array([200.0, -50.0]),
        retained_earnings=np.array([300.0, -100.0]),
        ebit=np.array([100.0, -20.0]),
        book_equity=np.array([500.0, -100.0]),
        sales=np.array([1200.0, 400.0]),
        total_assets=np.array([1000.0, 500.0]),
        total_liabilities=np.array([400.0, 600.0]),
    )
    np.testing.assert_allclose(z, [2.4308, 0.36302], atol=1e-12)
    with pytest.raises(ValidationError, match="broadcast"):
        fin.altman_z_private(**{**ALTMAN, "book_equity": [1.0, 2.0], "sales": [1.0, 2.0, 3.0]})


def test_altman_is_keyword_only():
    with pytest.raises(TypeError):
        fin.altman_z(200.0, 300.0, 100.0, 600.0, 1200.0, 1000.0, 400.0)  # type: ignore[misc]


def test_altman_zone_boundaries():
    # Z' cut-offs 1.23 / 2.90: below low -> distress; both cut-offs are grey; above high -> safe
    got = fin.altman_zone([1.2299, 1.23, 2.0, 2.90, 2.9001, NAN])
    assert got.tolist() == ["distress", "grey", "grey", "grey", "safe", ""]
    got = fin.altman_zone([1.80, 1.81, 2.99, 3.0], model="altman_z")
    assert got.tolist() == ["distress", "grey", "grey", "safe"]
    got = fin.altman_zone([1.09, 1.10, 2.60, 2.61], model="altman_z_nonmfg")
    assert got.tolist() == ["distress", "grey", "grey", "safe"]
    assert fin.altman_zone(3.09, model="altman_z").tolist() == "safe"


def test_altman_zone_unknown_model_lists_accepted():
    with pytest.raises(ValidationError) as exc:
        fin.altman_zone([1.0], model="altman_zz")
    msg = str(exc.value)
    for name in fin.ALTMAN_ZONES:
        assert name in msg
    assert exc.value.field == "model"


def test_altman_zones_read_only():
    with pytest.raises(TypeError):
        fin.ALTMAN_ZONES["x"] = (0.0, 1.0)  # type: ignore[index]
    assert dict(fin.ALTMAN_ZONES) == {
        "altman_z": (1.81, 2.99),
        "altman_z_private": (1.23, 2.90),
        "altman_z_nonmfg": (1.10, 2.60),
    }


# --------------------------------------------------------------------------- Zmijewski


def test_zmijewski_hand_arithmetic():
    # NI/TA = 0.05, TL/TA = 0.4, CA/CL = 500/250 = 2
    # score = -4.336 - 4.513*0.05 + 5.679*0.4 + 0.004*2 = -4.336 - 0.22565 + 2.2716 + 0.008
    #       = -2.28205 ; P = Phi(-2.28205)
    p = fin.zmijewski_p(**ZMIJEWSKI)
    assert float(p) == pytest.approx(phi(-2.28205), rel=1e-12)
    assert float(p) == pytest.approx(0.0112432, abs=1e-7)


def test_zmijewski_distressed_firm():
    # NI -100, TA 500, TL 600, CA 100, CL 200: NI/TA = -0.2, TL/TA = 1.2, CA/CL = 0.5
    # score = -4.336 + 0.9026 + 6.8148 + 0.002 = 3.3834 -> P = Phi(3.3834) > 0.5 (at risk)
    p = fin.zmijewski_p(
        net_income=-100.0,
        total_assets=500.0,
        total_liabilities=600.0,
        current_assets=100.0,
        current_liabilities=200.0,
    )
    assert float(p) == pytest.approx(phi(3.3834), rel=1e-12)
    assert float(p) > 0.5


def test_zmijewski_nan_and_zero_denominators():
    for name in ZMIJEWSKI:
        got = fin.zmijewski_p(**{**ZMIJEWSKI, name: np.array([ZMIJEWSKI[name], NAN])})
        assert not np.isnan(got[0]) and np.isnan(got[1]), name
    assert np.isnan(fin.zmijewski_p(**{**ZMIJEWSKI, "total_assets": 0.0}))
    assert np.isnan(fin.zmijewski_p(**{**ZMIJEWSKI, "current_liabilities": 0.0}))


# --------------------------------------------------------------------------- Ohlson


def test_ohlson_hand_arithmetic():
    # log(TA) = ln 1000 = 6.907755; TL/TA = 0.4; WC/TA = 0.2; CL/CA = 300/500 = 0.6; [TL>TA] = 0
    # NI/TA = 0.05; FFO/TL = 80/400 = 0.2; [loss both years] = 0; change = (50-30)/(50+30) = 0.25
    # O = -1.32 - 0.407*6.907755 + 6.03*0.4 - 1.43*0.2 + 0.0757*0.6 - 1.72*0 - 2.37*0.05
    #     - 1.83*0.2 + 0.285*0 - 0.521*0.25
    #   = -1.32 - 2.811456 + 2.412 - 0.286 + 0.04542 - 0.1185 - 0.366 - 0.13025 = -2.574786
    o = (
        -1.32
        - 0.407 * math.log(1000)
        + 6.03 * 0.4
        - 1.43 * 0.2
        + 0.0757 * 0.6
        - 2.37 * 0.05
        - 1.83 * 0.2
        - 0.521 * 0.25
    )
    assert o == pytest.approx(-2.574786, abs=1e-6)
    p = fin.ohlson_p(**OHLSON)
    assert float(p) == pytest.approx(1 / (1 + math.exp(-o)), rel=1e-12)
    assert float(p) == pytest.approx(0.0707789, abs=1e-7)


def test_ohlson_indicators_and_price_index():
    # TA 500, TL 600 (insolvent), WC -50, CA 100, CL 150, NI -40, NI_prev -10, FFO -20, price 2
    # log(500/2) = ln 250 = 5.521461; TL/TA = 1.2; WC/TA = -0.1; CL/CA = 1.5; [TL>TA] = 1
    # NI/TA = -0.08; FFO/TL = -1/30; [loss both] = 1; change = (-40 - -10)/(40 + 10) = -0.6
    o = (
        -1.32
        - 0.407 * math.log(250)
        + 6.03 * 1.2
        - 1.43 * -0.1
        + 0.0757 * 1.5
        - 1.72 * 1
        - 2.37 * -0.08
        - 1.83 * (-20 / 600)
        + 0.285 * 1
        - 0.521 * -0.6
    )
    p = fin.ohlson_p(
        total_assets=500.0,
        total_liabilities=600.0,
        working_capital=-50.0,
        current_assets=100.0,
        current_liabilities=150.0,
        net_income=-40.0,
        net_income_prev=-10.0,
        funds_from_operations=-20.0,
        price_index=2.0,
    )
    assert float(p) == pytest.approx(1 / (1 + math.exp(-o)), rel=1e-12)
    assert float(p) > 0.5


def test_ohlson_change_term_is_zero_when_both_incomes_zero():
    # NI = NI_prev = 0: change term defined as 0 (not NaN); NI/TA = 0
    o = -1.32 - 0.407 * math.log(1000) + 6.03 * 0.4 - 1.43 * 0.2 + 0.0757 * 0.6 - 1.83 * 0.2
    p = fin.ohlson_p(**{**OHLSON, "net_income": 0.0, "net_income_prev": 0.0})
    assert float(p) == pytest.approx(1 / (1 + math.exp(-o)), rel=1e-12)


def test_ohlson_nan_and_bad_denominators():
    for name in OHLSON:
        got = fin.ohlson_p(**{**OHLSON, name: np.array([OHLSON[name], NAN])})
        assert not np.isnan(got[0]) and np.isnan(got[1]), name
    assert np.isnan(fin.ohlson_p(**{**OHLSON, "total_assets": 0.0}))
    assert np.isnan(fin.ohlson_p(**{**OHLSON, "total_assets": -5.0}))  # log undefined
    assert np.isnan(fin.ohlson_p(**{**OHLSON, "total_liabilities": 0.0}))  # FFO/TL
    assert np.isnan(fin.ohlson_p(**{**OHLSON, "current_assets": 0.0}))  # CL/CA


@pytest.mark.parametrize("bad", [0.0, -1.0, NAN, np.inf, [1.0, 0.0]])
def test_ohlson_price_index_must_be_positive(bad):
    with pytest.raises(ValidationError) as exc:
        fin.ohlson_p(**OHLSON, price_index=bad)
    assert exc.value.field == "price_index"


def test_ohlson_extreme_scores_do_not_overflow():
    with np.errstate(all="raise"):
        p = fin.ohlson_p(**{**OHLSON, "total_liabilities": np.array([1e-300, 1e300])})
    assert 0.0 <= p[0] <= 1.0 and p[1] == 1.0


@given(
    st.floats(1, 1e9),
    st.floats(0.01, 1e9),
    st.floats(-1e9, 1e9),
    st.floats(0.01, 1e9),
    st.floats(0, 1e9),
    st.floats(-1e9, 1e9),
    st.floats(-1e9, 1e9),
    st.floats(-1e9, 1e9),
)
def test_probabilities_in_unit_interval(ta, tl, wc, ca, cl, ni, ni0, ffo):
    p = fin.ohlson_p(
        total_assets=ta,
        total_liabilities=tl,
        working_capital=wc,
        current_assets=ca,
        current_liabilities=cl,
        net_income=ni,
        net_income_prev=ni0,
        funds_from_operations=ffo,
    )
    assert 0.0 <= float(p) <= 1.0
    q = fin.zmijewski_p(
        net_income=ni,
        total_assets=ta,
        total_liabilities=tl,
        current_assets=ca,
        current_liabilities=max(cl, 1.0),
    )
    assert 0.0 <= float(q) <= 1.0


# --------------------------------------------------------------------------- ratios


def test_plain_ratios_by_hand():
    assert float(fin.current_ratio(500, 250)) == 2.0  # 500 / 250
    assert float(fin.debt_ratio(400, 1000)) == 0.4  # 400 / 1000
    assert float(fin.net_margin(-30, 1200)) == -0.025  # -30 / 1200
    assert float(fin.cash_flow_to_liabilities(80, 400)) == 0.2  # 80 / 400
    assert float(fin.tangible_net_worth(500, 120)) == 380.0  # 500 - 120
    assert float(fin.working_capital(500, 300)) == 200.0  # 500 - 300


@pytest.mark.parametrize(
    "func", [fin.current_ratio, fin.debt_ratio, fin.net_margin, fin.cash_flow_to_liabilities]
)
def test_ratios_nan_and_zero_denominator(func):
    got = func([1.0, NAN, 1.0], [0.0, 2.0, NAN])
    assert np.isnan(got).all()
    assert func(1.0, 4.0).shape == ()


def test_working_capital_nan():
    np.testing.assert_array_equal(np.isnan(fin.working_capital([1.0, NAN], [NAN, 1.0])), [1, 1])


def test_tangible_net_worth_nan_intangibles_mean_none():
    # NaN intangibles -> treated as 0 (the documented exception); NaN equity still gives NaN
    got = fin.tangible_net_worth([500.0, 500.0, NAN], [120.0, NAN, 10.0])
    np.testing.assert_array_equal(got[:2], [380.0, 500.0])
    assert np.isnan(got[2])


def test_ratio_inputs_must_broadcast():
    with pytest.raises(ValidationError):
        fin.current_ratio([1.0, 2.0], [1.0, 2.0, 3.0])
