"""Financial distress models and plain balance-sheet ratios, over whole columns.

Every function takes raw statement amounts (not pre-computed ratios),
broadcasts its arguments elementwise and returns float64 arrays (0-d for
scalar inputs). The missing-data rule of the domain reference holds
throughout: a NaN input or a zero denominator gives NaN for that element,
never 0, so a customer with an incomplete statement is visibly unscored.
The one documented exception is ``intangible_assets`` in
:func:`tangible_net_worth`, where NaN means "none reported".

Models and their exact coefficients (``docs/domain.md``, *Financial distress models*):

* :func:`altman_z` -- Altman (1968), public manufacturers;
* :func:`altman_z_private` -- Altman Z', private firms;
* :func:`altman_z_nonmfg` -- Altman Z'', non-manufacturers / emerging markets;
* :func:`zmijewski_p` -- Zmijewski (1984) probit probability;
* :func:`ohlson_p` -- Ohlson O-score (1980) logistic probability.

With X1 = working capital / TA, X2 = retained earnings / TA, X3 = EBIT / TA
and X5 = sales / TA, as plain fractions (not percentages).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from riskkit._numeric import FloatArray, safe_divide
from riskkit.errors import ValidationError

__all__ = [
    "ALTMAN_ZONES",
    "altman_z",
    "altman_z_nonmfg",
    "altman_z_private",
    "altman_zone",
    "cash_flow_to_liabilities",
    "current_ratio",
    "debt_ratio",
    "net_margin",
    "ohlson_p",
    "tangible_net_worth",
    "working_capital",
    "zmijewski_p",
]

ALTMAN_ZONES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "altman_z": (1.81, 2.99),
        "altman_z_private": (1.23, 2.90),
        "altman_z_nonmfg": (1.10, 2.60),
    }
)
"""Read-only ``model name -> (distress below, safe above)`` cut-offs for :func:`altman_zone`."""


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _normal_cdf(x: npt.ArrayLike) -> FloatArray:
    """Standard normal CDF through libm's erfc (exact to double precision; no scipy import).

    scipy.special would cost a quarter of a second to import in a short-lived job.
    """
    z = np.asarray(x, dtype=np.float64)
    out = np.full(z.shape, np.nan)
    ok = ~np.isnan(z)
    with np.errstate(under="ignore"):
        out[ok] = 0.5 * np.asarray(_ERFC(-z[ok] / math.sqrt(2.0)), dtype=np.float64)
    return out


def _logistic(x: npt.ArrayLike) -> FloatArray:
    """1 / (1 + exp(-x)) without overflow warnings; NaN stays NaN."""
    z = np.asarray(x, dtype=np.float64)
    out = np.full(z.shape, np.nan)
    pos = z >= 0
    neg = z < 0
    with np.errstate(under="ignore"):
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[neg])
        out[neg] = e / (1.0 + e)
    return out


def _inputs(**arrays: npt.ArrayLike) -> list[FloatArray]:
    """The arguments as float64 arrays broadcast to one shape, in keyword order."""
    converted = []
    for name, x in arrays.items():
        try:
            converted.append(np.asarray(x, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{name} must be numeric; {exc}", field=name) from None
    try:
        return list(np.broadcast_arrays(*converted))
    except ValueError:
        shapes = ", ".join(f"{k}={np.shape(a)}" for k, a in zip(arrays, converted, strict=True))
        raise ValidationError(f"arguments do not broadcast together: {shapes}") from None


def _result(x: npt.ArrayLike) -> FloatArray:
    # ufuncs turn 0-d inputs into numpy scalars; keep the documented array type.
    return np.asarray(x, dtype=np.float64)


def _indicator(condition: npt.NDArray[np.bool_], *inputs: FloatArray) -> FloatArray:
    """``condition`` as 1.0/0.0, NaN wherever one of ``inputs`` is NaN (comparisons hide NaN)."""
    missing = np.zeros(condition.shape, dtype=bool)
    for x in inputs:
        missing |= np.isnan(x)
    return np.where(missing, np.nan, condition.astype(np.float64))


# --------------------------------------------------------------------------- Altman


def _altman(
    coefficients: tuple[float, float, float, float, float | None],
    equity_name: str,
    *,
    working_capital: npt.ArrayLike,
    retained_earnings: npt.ArrayLike,
    ebit: npt.ArrayLike,
    equity: npt.ArrayLike,
    sales: npt.ArrayLike | None,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
) -> FloatArray:
    """``c1 X1 + c2 X2 + c3 X3 + c4 X4 (+ c5 X5)``, X4 = equity / total liabilities, the Altman family's form."""
    c1, c2, c3, c4, c5 = coefficients
    named = {
        "working_capital": working_capital,
        "retained_earnings": retained_earnings,
        "ebit": ebit,
        equity_name: equity,  # errors name the caller's argument
        "total_assets": total_assets,
        "total_liabilities": total_liabilities,
    }
    if c5 is not None:
        named["sales"] = sales  # type: ignore[assignment]
    wc, re, eb, eq, ta, tl, *rest = _inputs(**named)
    z = c1 * safe_divide(wc, ta) + c2 * safe_divide(re, ta) + c3 * safe_divide(eb, ta) + c4 * safe_divide(eq, tl)
    if c5 is not None:
        z = z + c5 * safe_divide(rest[0], ta)
    return _result(z)


def altman_z(
    *,
    working_capital: npt.ArrayLike,
    retained_earnings: npt.ArrayLike,
    ebit: npt.ArrayLike,
    market_value_equity: npt.ArrayLike,
    sales: npt.ArrayLike,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
) -> FloatArray:
    """Altman Z-score (1968) for publicly traded manufacturers.

    ``Z = 1.2 X1 + 1.4 X2 + 3.3 X3 + 0.6 X4 + 1.0 X5`` with
    X4 = market value of equity / total liabilities. Zones (see
    :func:`altman_zone`): distress below 1.81, safe above 2.99.

    Parameters
    ----------
    working_capital, retained_earnings, ebit, market_value_equity, sales : array-like of float
        Statement amounts, in one currency unit.
    total_assets : array-like of float
        Denominator of X1, X2, X3 and X5.
    total_liabilities : array-like of float
        Denominator of X4.

    Returns
    -------
    numpy.ndarray of float64
        Broadcast shape of the inputs; NaN where an input is NaN or
        ``total_assets`` or ``total_liabilities`` is 0 (a debt-free firm has
        no defined X4).

    Examples
    --------
    >>> # 1.2*0.2 + 1.4*0.3 + 3.3*0.1 + 0.6*1.5 + 1.0*1.2 = 3.09
    >>> z = altman_z(working_capital=200, retained_earnings=300, ebit=100,
    ...              market_value_equity=600, sales=1200, total_assets=1000,
    ...              total_liabilities=400)
    >>> print(round(float(z), 4))
    3.09
    """
    return _altman(
        (1.2, 1.4, 3.3, 0.6, 1.0),
        "market_value_equity",
        working_capital=working_capital,
        retained_earnings=retained_earnings,
        ebit=ebit,
        equity=market_value_equity,
        sales=sales,
        total_assets=total_assets,
        total_liabilities=total_liabilities,
    )


def altman_z_private(
    *,
    working_capital: npt.ArrayLike,
    retained_earnings: npt.ArrayLike,
    ebit: npt.ArrayLike,
    book_equity: npt.ArrayLike,
    sales: npt.ArrayLike,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
) -> FloatArray:
    """Altman Z'-score for private firms.

    ``Z' = 0.717 X1 + 0.847 X2 + 3.107 X3 + 0.420 X4 + 0.998 X5`` with
    X4 = book equity / total liabilities. Zones: distress below 1.23, safe
    above 2.90.

    Parameters
    ----------
    working_capital, retained_earnings, ebit, book_equity, sales : array-like of float
        Statement amounts, in one currency unit.
    total_assets : array-like of float
        Denominator of X1, X2, X3 and X5.
    total_liabilities : array-like of float
        Denominator of X4.

    Returns
    -------
    numpy.ndarray of float64
        NaN where an input is NaN or ``total_assets`` or ``total_liabilities``
        is 0.

    Examples
    --------
    >>> # 0.717*0.2 + 0.847*0.3 + 3.107*0.1 + 0.420*1.25 + 0.998*1.2 = 2.4308
    >>> z = altman_z_private(working_capital=200, retained_earnings=300, ebit=100,
    ...                      book_equity=500, sales=1200, total_assets=1000,
    ...                      total_liabilities=400)
    >>> print(round(float(z), 4))
    2.4308
    """
    return _altman(
        (0.717, 0.847, 3.107, 0.420, 0.998),
        "book_equity",
        working_capital=working_capital,
        retained_earnings=retained_earnings,
        ebit=ebit,
        equity=book_equity,
        sales=sales,
        total_assets=total_assets,
        total_liabilities=total_liabilities,
    )


def altman_z_nonmfg(
    *,
    working_capital: npt.ArrayLike,
    retained_earnings: npt.ArrayLike,
    ebit: npt.ArrayLike,
    book_equity: npt.ArrayLike,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
) -> FloatArray:
    """Altman Z''-score for non-manufacturers and emerging-market firms.

    ``Z'' = 6.56 X1 + 3.26 X2 + 6.72 X3 + 1.05 X4`` with
    X4 = book equity / total liabilities (no sales term). Zones: distress
    below 1.10, safe above 2.60.

    Parameters
    ----------
    working_capital, retained_earnings, ebit, book_equity : array-like of float
        Statement amounts, in one currency unit.
    total_assets : array-like of float
        Denominator of X1, X2 and X3.
    total_liabilities : array-like of float
        Denominator of X4.

    Returns
    -------
    numpy.ndarray of float64
        NaN where an input is NaN or ``total_assets`` or ``total_liabilities``
        is 0.

    Examples
    --------
    >>> # 6.56*0.2 + 3.26*0.3 + 6.72*0.1 + 1.05*1.25 = 4.2745
    >>> z = altman_z_nonmfg(working_capital=200, retained_earnings=300, ebit=100,
    ...                     book_equity=500, total_assets=1000, total_liabilities=400)
    >>> print(round(float(z), 4))
    4.2745
    """
    return _altman(
        (6.56, 3.26, 6.72, 1.05, None),
        "book_equity",
        working_capital=working_capital,
        retained_earnings=retained_earnings,
        ebit=ebit,
        equity=book_equity,
        sales=None,
        total_assets=total_assets,
        total_liabilities=total_liabilities,
    )


def altman_zone(z: npt.ArrayLike, model: str = "altman_z_private") -> npt.NDArray[np.str_]:
    """Altman zone of each score: ``"distress"``, ``"grey"``, ``"safe"`` or ``""``.

    With ``(low, high) = ALTMAN_ZONES[model]``: distress if ``z < low``, safe
    if ``z > high``, grey otherwise (both cut-offs are grey); ``""`` for NaN.

    Parameters
    ----------
    z : array-like of float
        Scores from the matching model function.
    model : {"altman_z", "altman_z_private", "altman_z_nonmfg"}
        Which model produced ``z``; selects the cut-offs.

    Returns
    -------
    numpy.ndarray of str
        Same shape as ``z``.

    Raises
    ------
    ValidationError
        If ``model`` is not a key of :data:`ALTMAN_ZONES`.

    Examples
    --------
    >>> altman_zone([0.5, 1.23, 2.4308, 2.90, 3.5, float("nan")])
    array(['distress', 'grey', 'grey', 'grey', 'safe', ''], dtype='<U8')
    >>> altman_zone([1.81, 3.09], model="altman_z")
    array(['grey', 'safe'], dtype='<U8')
    """
    if model not in ALTMAN_ZONES:
        accepted = ", ".join(repr(k) for k in ALTMAN_ZONES)
        raise ValidationError(
            f"unknown Altman model {model!r}; accepted: {accepted}", field="model", value=model
        )
    low, high = ALTMAN_ZONES[model]
    x = np.asarray(z, dtype=np.float64)
    zone = np.where(x < low, "distress", np.where(x > high, "safe", "grey"))
    return np.where(np.isnan(x), "", zone).astype("<U8")


# --------------------------------------------------------------------------- Zmijewski, Ohlson


def zmijewski_p(
    *,
    net_income: npt.ArrayLike,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
    current_assets: npt.ArrayLike,
    current_liabilities: npt.ArrayLike,
) -> FloatArray:
    """Zmijewski (1984) probit probability of distress.

    ``score = -4.336 - 4.513 NI/TA + 5.679 TL/TA + 0.004 CA/CL`` and
    ``P = Phi(score)``, the standard normal CDF. ``P > 0.5`` is read as at risk.

    Parameters
    ----------
    net_income, total_assets, total_liabilities, current_assets, current_liabilities : array-like
        Statement amounts, in one currency unit.

    Returns
    -------
    numpy.ndarray of float64
        Probabilities in [0, 1]; NaN where an input is NaN or ``total_assets``
        or ``current_liabilities`` is 0.

    Examples
    --------
    >>> # -4.336 - 4.513*0.05 + 5.679*0.4 + 0.004*2 = -2.28205; Phi(-2.28205) = 0.011243
    >>> p = zmijewski_p(net_income=50, total_assets=1000, total_liabilities=400,
    ...                 current_assets=500, current_liabilities=250)
    >>> print(round(float(p), 6))
    0.011243
    """

    ni, ta, tl, ca, cl = _inputs(
        net_income=net_income,
        total_assets=total_assets,
        total_liabilities=total_liabilities,
        current_assets=current_assets,
        current_liabilities=current_liabilities,
    )
    score = (
        -4.336
        - 4.513 * safe_divide(ni, ta)
        + 5.679 * safe_divide(tl, ta)
        + 0.004 * safe_divide(ca, cl)
    )
    return _result(_normal_cdf(score))


def ohlson_p(
    *,
    total_assets: npt.ArrayLike,
    total_liabilities: npt.ArrayLike,
    working_capital: npt.ArrayLike,
    current_assets: npt.ArrayLike,
    current_liabilities: npt.ArrayLike,
    net_income: npt.ArrayLike,
    net_income_prev: npt.ArrayLike,
    funds_from_operations: npt.ArrayLike,
    price_index: npt.ArrayLike = 1.0,
) -> FloatArray:
    """Ohlson (1980) O-score turned into a logistic probability of distress.

    ``O = -1.32 - 0.407 log(TA / price_index) + 6.03 TL/TA - 1.43 WC/TA
    + 0.0757 CL/CA - 1.72 [TL > TA] - 2.37 NI/TA - 1.83 FFO/TL
    + 0.285 [NI < 0 and NI_prev < 0] - 0.521 (NI - NI_prev) / (|NI| + |NI_prev|)``
    and ``P = 1 / (1 + exp(-O))``. ``P > 0.5`` is read as at risk.

    Conventions: ``log`` is the natural log and is NaN where
    ``TA / price_index <= 0``; the change-in-income term is defined as 0 when
    both ``NI`` and ``NI_prev`` are 0 (no change), rather than NaN; the two
    indicators are NaN when one of their inputs is NaN.

    Parameters
    ----------
    total_assets, total_liabilities, working_capital : array-like of float
        Statement amounts, in one currency unit.
    current_assets, current_liabilities : array-like of float
        Current assets and liabilities (CL/CA is NaN where CA is 0).
    net_income, net_income_prev : array-like of float
        Net income of the latest and the previous year.
    funds_from_operations : array-like of float
        Funds (cash) from operations (FFO/TL is NaN where TL is 0).
    price_index : array-like of float, default 1.0
        GNP-deflator-style price level that restates TA in base-year units;
        must be finite and > 0.

    Returns
    -------
    numpy.ndarray of float64
        Probabilities in [0, 1]; NaN where an input is NaN or a denominator
        (TA, TL, CA) is 0.

    Raises
    ------
    ValidationError
        If ``price_index`` is not finite and > 0.

    Examples
    --------
    >>> # O = -1.32 - 0.407 ln 1000 + 6.03*0.4 - 1.43*0.2 + 0.0757*0.6 - 0 - 2.37*0.05
    >>> #     - 1.83*0.2 + 0 - 0.521*(20/80) = -2.574786; P = 1/(1 + e^2.574786) = 0.070779
    >>> p = ohlson_p(total_assets=1000, total_liabilities=400, working_capital=200,
    ...              current_assets=500, current_liabilities=300, net_income=50,
    ...              net_income_prev=30, funds_from_operations=80)
    >>> print(round(float(p), 6))
    0.070779
    """

    pi = np.asarray(price_index, dtype=np.float64)
    if not (np.isfinite(pi).all() and (pi > 0).all()):
        raise ValidationError(
            f"price_index must be finite and > 0; got {price_index!r}",
            field="price_index",
            value=price_index,
        )
    ta, tl, wc, ca, cl, ni, ni0, ffo, pi = _inputs(
        total_assets=total_assets,
        total_liabilities=total_liabilities,
        working_capital=working_capital,
        current_assets=current_assets,
        current_liabilities=current_liabilities,
        net_income=net_income,
        net_income_prev=net_income_prev,
        funds_from_operations=funds_from_operations,
        price_index=pi,
    )
    size = ta / pi
    log_size = np.full(size.shape, np.nan)
    np.log(size, out=log_size, where=size > 0)

    abs_sum = np.abs(ni) + np.abs(ni0)
    # Both years exactly 0 means "no change", not a missing value.
    change = np.where(abs_sum == 0, 0.0, safe_divide(ni - ni0, abs_sum))

    o = (
        -1.32
        - 0.407 * log_size
        + 6.03 * safe_divide(tl, ta)
        - 1.43 * safe_divide(wc, ta)
        + 0.0757 * safe_divide(cl, ca)
        - 1.72 * _indicator(tl > ta, tl, ta)
        - 2.37 * safe_divide(ni, ta)
        - 1.83 * safe_divide(ffo, tl)
        + 0.285 * _indicator((ni < 0) & (ni0 < 0), ni, ni0)
        - 0.521 * change
    )
    return _result(_logistic(o))


# --------------------------------------------------------------------------- plain ratios


def current_ratio(current_assets: npt.ArrayLike, current_liabilities: npt.ArrayLike) -> FloatArray:
    """Current ratio: ``current_assets / current_liabilities``.

    NaN where ``current_liabilities`` is 0 or an input is NaN.

    Parameters
    ----------
    current_assets, current_liabilities : array-like of float
        Statement amounts.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> current_ratio([500.0, 100.0, 1.0], [250.0, 0.0, float("nan")])
    array([ 2., nan, nan])
    """
    ca, cl = _inputs(current_assets=current_assets, current_liabilities=current_liabilities)
    return _result(safe_divide(ca, cl))


def debt_ratio(total_liabilities: npt.ArrayLike, total_assets: npt.ArrayLike) -> FloatArray:
    """Debt ratio: ``total_liabilities / total_assets``.

    NaN where ``total_assets`` is 0 or an input is NaN.

    Parameters
    ----------
    total_liabilities, total_assets : array-like of float
        Statement amounts.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> print(float(debt_ratio(400, 1000)))
    0.4
    """
    tl, ta = _inputs(total_liabilities=total_liabilities, total_assets=total_assets)
    return _result(safe_divide(tl, ta))


def net_margin(net_income: npt.ArrayLike, revenue: npt.ArrayLike) -> FloatArray:
    """Net margin: ``net_income / revenue`` (a fraction, not a percentage).

    NaN where ``revenue`` is 0 or an input is NaN.

    Parameters
    ----------
    net_income, revenue : array-like of float
        Statement amounts.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> print(float(net_margin(-30, 1200)))
    -0.025
    """
    ni, rev = _inputs(net_income=net_income, revenue=revenue)
    return _result(safe_divide(ni, rev))


def cash_flow_to_liabilities(
    operating_cash_flow: npt.ArrayLike, total_liabilities: npt.ArrayLike
) -> FloatArray:
    """Operating cash flow to total liabilities: ``operating_cash_flow / total_liabilities``.

    NaN where ``total_liabilities`` is 0 or an input is NaN.

    Parameters
    ----------
    operating_cash_flow, total_liabilities : array-like of float
        Statement amounts.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> print(float(cash_flow_to_liabilities(80, 400)))
    0.2
    """
    ocf, tl = _inputs(operating_cash_flow=operating_cash_flow, total_liabilities=total_liabilities)
    return _result(safe_divide(ocf, tl))


def tangible_net_worth(equity: npt.ArrayLike, intangible_assets: npt.ArrayLike) -> FloatArray:
    """Tangible net worth: ``equity - intangible_assets``.

    NaN ``intangible_assets`` means "none reported" and counts as 0 -- the one
    place in this module where NaN is not propagated, because small firms
    routinely leave the line blank. NaN ``equity`` gives NaN.

    Parameters
    ----------
    equity : array-like of float
        Book equity.
    intangible_assets : array-like of float
        Intangible assets including goodwill; NaN means none reported.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> tangible_net_worth([500.0, 500.0, float("nan")], [120.0, float("nan"), 10.0])
    array([380., 500.,  nan])
    """
    eq, ia = _inputs(equity=equity, intangible_assets=intangible_assets)
    return _result(eq - np.where(np.isnan(ia), 0.0, ia))


def working_capital(
    current_assets: npt.ArrayLike, current_liabilities: npt.ArrayLike
) -> FloatArray:
    """Working capital: ``current_assets - current_liabilities``.

    NaN where an input is NaN.

    Parameters
    ----------
    current_assets, current_liabilities : array-like of float
        Statement amounts.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> print(float(working_capital(500, 300)))
    200.0
    """
    ca, cl = _inputs(current_assets=current_assets, current_liabilities=current_liabilities)
    return _result(ca - cl)
