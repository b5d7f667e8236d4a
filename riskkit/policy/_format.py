"""How the policy writes money and shares in its reasons (limit reasons and credit-check steps alike)."""

from __future__ import annotations

__all__ = ["money", "pct"]


def money(x: float) -> str:
    """An amount with thousands separators, cents only when there are any.

    >>> money(12400.0), money(288053.16)
    ('12,400', '288,053.16')
    """
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def pct(share: float) -> str:
    """A share as a percentage: ``pct(0.075)`` is ``'7.5%'``."""
    return f"{share * 100:.4g}%"
