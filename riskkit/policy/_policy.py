"""The credit policy: :class:`CreditPolicy`, plain data that turns grades into decisions.

The class holds the parameters (checked and normalised by
riskkit.policy._config), reads and writes them (dict, JSON, TOML), and
delegates the work: :meth:`CreditPolicy.recommend` to riskkit.policy._limits,
:meth:`CreditPolicy.check_order` and :meth:`CreditPolicy.check_orders` to
riskkit.policy._orders, which runs the step table of riskkit.policy._steps,
and :meth:`CreditPolicy.prepare` (the context for order entry) to
riskkit.policy._prepared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from riskkit._checks import MappingOf, check, check_names
from riskkit._documents import load_json, load_toml
from riskkit.policy._config import (
    DUNNING_BANDS,
    GRADES,
    LIMIT_METHODS,
    WHERE,
    as_map,
    as_tuple,
    normalised,
)
from riskkit.policy._decision import CreditDecision
from riskkit.policy._frozenmap import FrozenMap
from riskkit.policy._limits import recommend
from riskkit.policy._orders import check_orders
from riskkit.policy._prepared import PreparedPolicy
from riskkit.policy._recommendations import Recommendations

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["CreditPolicy"]


@attrs.frozen(repr=False)
class CreditPolicy:
    """Credit limits, payment terms, conditions and order checks by grade.

    Every parameter has a default (docs/domain.md, *Grades, limits and terms* and *Order checks*; see the module
    docstring of riskkit.policy._limits for the conventions). Grade-keyed mappings may be partial: the
    grades left out keep their defaults. ``checks`` may be partial too (the
    steps and parameters left out keep theirs).

    Parameters
    ----------
    version : str, default "1"
        Your label for this policy; recorded on every :class:`CreditDecision`.
    grades : sequence of str
        Grade names best first (default AAA ... D, as :class:`~riskkit.MasterScale`).
    methods : sequence of str
        Limit methods to use, from :data:`LIMIT_METHODS` (default all of them) and ``"insured"``: the
        insured limit in force (:func:`riskkit.insurance.insured_limit`; does not apply to a customer
        without an insurance decision), which under ``combine="min"`` caps the limit at the cover.
    combine : {"min", "max", "median"}, default "min"
        How the methods that apply are combined.
    net_worth_k : mapping of grade to float in [0, 1]
        Share of tangible net worth (AAA 0.15, AA 0.125, A 0.10, BBB 0.075, BB 0.05, lower 0).
    net_worth_loss_factor : float in [0, 1], default 0.5
        Multiplies ``k`` when the latest net income is ``<= 0``.
    nonpositive_base : {"zero", "skip"}, default "zero"
        Net worth or working capital ``<= 0``: the method gives 0, or does not apply.
    working_capital_share : float in [0, 1], default 0.10
    sales_coefficient : mapping of grade to float >= 0
        AAA 2.0 (practitioners use 1.5-3.0), AA 1.0, A 0.8, BBB 0.6, lower 0.
    trade_reference_factor : float >= 0, default 1.0
        Multiplies the user-supplied trade reference.
    concentration_share : float in (0, 1], default 0.10
        Highest share of the seller's annual revenue one customer may owe.
    limit_rounding : float >= 0, default 1000
        Every limit is a multiple of this unit (in the reporting currency); 0
        keeps limits exact. A figure the methods or the concentration cap set
        is rounded *down* (never more than they justify); a figure the
        purchases floor or the cut cap set is rounded *up* (never less than
        they guarantee); nothing is rounded above the concentration cap.
    floor_grade : str, default "BBB"
        The purchases floor protects this grade and the better ones (policy
        grades); ``""`` switches the floor off. See "Limit review" in
        riskkit.policy._limits for the formula.
    floor_headroom_months : float >= 0, default 1.0
        Months of average purchases the floor adds on top of the exposure the
        customer's purchases create: room for its next regular order.
    floor_exposure : bool, default True
        The floor is at least today's exposure within terms (counted exposure
        less the overdue amount); ``False`` uses the purchases estimate only.
    max_cut : float in [0, 1], default 0.5
        The largest share of the limit on file one review may cut; 1 lets a
        limit fall to the methods' figure at once, 0 never cuts.
    max_cut_exempt_grade : str, default "CCC"
        From this grade down (and for a customer in default) the cut is not
        capped: the limit may go to 0 in one review.
    seller_annual_revenue : float > 0 or None, default None
        The seller's revenue; ``None`` disables the concentration cap.
    terms_days : mapping of grade to int >= 0
        Payment terms in days; 0 is cash on delivery (or prepayment when the
        grade's condition is ``"prepayment"``).
    conditions : mapping of grade to str
        From :data:`CONDITIONS`: ``"none"``, ``"guarantee"``,
        ``"credit_insurance"`` or ``"prepayment"``.
    new_customer_months : float >= 0, default 12
        A customer whose first invoice is younger than this (or who has none)
        is new; 0 switches the grade cap off.
    new_customer_max_grade : str, default "AA"
        The best grade a new customer can get.
    segment_by : {"debtor_type", "industry"}, default "debtor_type"
        The customer column whose values name the segments of ``segments``.
    dunning_bands : sequence of int, default (0, 15, 30, 60, 90)
        Days past due edges of the derived dunning level: the level is the
        number of edges the oldest open item's days past due exceeds, so
        0 = not overdue (reminder), 1 = 1-15 (friendly reminder),
        2 = 16-30 (call), 3 = 31-60 (formal dunning letter), 4 = 61-90
        (visit), 5 = 91+ (final notice): the collections ladder of docs/domain.md, *Collections ladder*.
    checks : mapping of step to parameters
        Every step has ``enabled`` (bool) and ``on_fail`` (``"reject"``,
        ``"hold"`` or ``"conditions"``: approve with conditions), and:

        ==================  =================================================  =========================
        step                parameters (default)                               passes when
        ==================  =================================================  =========================
        blocked             on_fail "reject"                                   the ERP block is not set
        static_limit        limit "current" | "recommended" | "lower";         exposure + order <= limit
                            on_fail "hold"
        max_document_value  max_amount 100,000; on_fail "hold"                 order <= max_amount
        oldest_open_item    max_days 30; on_fail "hold"                        days past due of the
                                                                               oldest open item <= max_days
        dunning_level       max_level 2; on_fail "hold"                        dunning level <= max_level
        payment_index       min_index 50, missing "pass";                      payment index >= min_index
                            on_fail "conditions"
        ==================  =================================================  =========================

        ``limit="current"`` is the limit on file (none on file counts as 0),
        ``"recommended"`` the one :meth:`recommend` gives (needs ``scores``)
        and ``"lower"`` the lower of the two.
    segments : mapping of segment to {step: parameters}
        Overrides of ``checks`` for the customers whose ``segment_by`` column
        holds that segment, e.g. ``{"government": {"max_document_value":
        {"max_amount": 1_000_000}}}``.

    Raises
    ------
    ValidationError
        Naming the key (``CreditPolicy.<key>``) and what it accepts.

    Examples
    --------
    >>> p = CreditPolicy(version="2025-01", sales_coefficient={"AAA": 2.5}, seller_annual_revenue=5e6)
    >>> p.sales_coefficient["AAA"], p.sales_coefficient["AA"]
    (2.5, 1.0)
    >>> p
    CreditPolicy(version='2025-01', methods=('net_worth', 'working_capital', 'sales', 'trade_reference'), combine='min', seller_annual_revenue=5000000.0)
    >>> CreditPolicy(combine="mean")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: CreditPolicy.combine must be one of 'min', 'max', 'median', got 'mean'
    """

    version: str = "1"
    grades: tuple[str, ...] = attrs.field(default=GRADES, converter=as_tuple)
    methods: tuple[str, ...] = attrs.field(default=LIMIT_METHODS, converter=as_tuple)
    combine: str = "min"
    net_worth_k: Mapping[str, float] = attrs.field(factory=FrozenMap, converter=as_map)
    net_worth_loss_factor: float = 0.5
    nonpositive_base: str = "zero"
    working_capital_share: float = 0.10
    sales_coefficient: Mapping[str, float] = attrs.field(factory=FrozenMap, converter=as_map)
    trade_reference_factor: float = 1.0
    concentration_share: float = 0.10
    limit_rounding: float = 1000.0
    floor_grade: str = "BBB"
    floor_headroom_months: float = 1.0
    floor_exposure: bool = True
    max_cut: float = 0.5
    max_cut_exempt_grade: str = "CCC"
    seller_annual_revenue: float | None = None
    terms_days: Mapping[str, int] = attrs.field(factory=FrozenMap, converter=as_map)
    conditions: Mapping[str, str] = attrs.field(factory=FrozenMap, converter=as_map)
    new_customer_months: float = 12.0
    new_customer_max_grade: str = "AA"
    segment_by: str = "debtor_type"
    dunning_bands: tuple[int, ...] = attrs.field(default=DUNNING_BANDS, converter=as_tuple)
    checks: Mapping[str, Mapping[str, Any]] = attrs.field(factory=FrozenMap, converter=as_map)
    segments: Mapping[str, Mapping[str, Mapping[str, Any]]] = attrs.field(
        factory=FrozenMap, converter=as_map
    )

    def __attrs_post_init__(self) -> None:
        for name, value in normalised(self).items():
            object.__setattr__(self, name, value)  # normalise a frozen field once, at construction

    # --- construction and persistence --------------------------------------------

    @classmethod
    def default(cls) -> CreditPolicy:
        """The default policy (every parameter at its documented default).

        Examples
        --------
        >>> CreditPolicy.default().terms_days["BBB"]
        45
        """
        return cls()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CreditPolicy:
        """Build from a dict of parameters; keys left out keep their defaults.

        Raises
        ------
        ValidationError
            ``d`` is not a mapping, has an unknown key (the message lists the
            accepted keys) or an unacceptable value.

        Examples
        --------
        >>> CreditPolicy.from_dict({"combine": "median", "checks": {"payment_index": {"min_index": 60}}}).combine
        'median'
        >>> CreditPolicy.from_dict({"limit_cap": 5})
        Traceback (most recent call last):
        ...
        riskkit.errors.ValidationError: CreditPolicy.limit_cap is not a parameter; accepted: ...
        """
        d = check("", d, MappingOf(), where="a credit policy")
        check_names(d, [f.name for f in attrs.fields(cls)], where=WHERE)
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as plain JSON-safe data; :meth:`from_dict` gives back an equal policy.

        Examples
        --------
        >>> p = CreditPolicy(seller_annual_revenue=2e6, segments={"project": {"oldest_open_item": {"max_days": 60}}})
        >>> CreditPolicy.from_dict(p.to_dict()) == p
        True
        """
        out: dict[str, Any] = {}
        for f in attrs.fields(type(self)):
            value = getattr(self, f.name)
            if isinstance(value, FrozenMap):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def to_json(self) -> str:
        """The policy as a JSON document (sorted keys); :meth:`from_json` reads it back."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> CreditPolicy:
        """Build from a JSON document (text) or a path to one.

        Examples
        --------
        >>> CreditPolicy.from_json('{"version": "v2", "seller_annual_revenue": 1000000}').seller_annual_revenue
        1000000.0
        """
        return cls.from_dict(load_json(text_or_path, "credit policy"))

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> CreditPolicy:
        """Build from a TOML document (text spanning lines) or a path to one.

        Leave ``seller_annual_revenue`` out for ``None`` (TOML has no null).

        Examples
        --------
        >>> p = CreditPolicy.from_toml('''
        ... version = "2025-02"
        ... combine = "max"
        ... [sales_coefficient]
        ... AAA = 3.0
        ... [segments.government.max_document_value]
        ... max_amount = 1_000_000
        ... ''')
        >>> p.combine, p.sales_coefficient["AAA"], p.segments["government"]["max_document_value"]["max_amount"]
        ('max', 3.0, 1000000.0)
        """
        return cls.from_dict(load_toml(text_or_path, "credit policy"))

    def __repr__(self) -> str:
        return (
            f"CreditPolicy(version={self.version!r}, methods={self.methods!r}, combine={self.combine!r}, "
            f"seller_annual_revenue={self.seller_annual_revenue!r})"
        )

    # --- the work ---------------------------------------------------------------

    def recommend(
        self, portfolio: Portfolio, scores: ScoreResult, as_of: Any = None, *, trade_references: Any = None
    ) -> Recommendations:
        """Credit limit, payment terms and conditions for every customer.

        The limit is the methods' figure reviewed against the limit on file:
        the purchases floor, the cap on the cut, the default rule and the
        rounding of "Limit review" in riskkit.policy._limits. Each customer's
        ``direction``, ``bound_by`` and ``reason`` say how its limit moved and
        why; :meth:`Recommendations.changes_by_grade` sums the moves by grade.

        Parameters
        ----------
        portfolio : Portfolio
        scores : ScoreResult
            One row per customer in ``portfolio.customer_ids`` order (e.g.
            ``five_c().score(portfolio.features(as_of))``); its grades must be
            among the policy's ``grades``.
        as_of : date-like, optional
            Default ``portfolio.as_of``. Statements and invoices known on that
            date are used (docs/domain.md, *Point in time*).
        trade_references : mapping of customer id to float, or array-like, optional
            The trade-reference figure per customer (a mapping by id, or an
            array aligned with the portfolio where NaN means none).

        Returns
        -------
        Recommendations

        Raises
        ------
        DataTypeError
            ``scores`` is not a ScoreResult.
        ValidationError
            ``scores`` of another length, in another customer order or with
            grades the policy does not know; a trade reference for an unknown
            customer, negative, or not finite.

        Examples
        --------
        >>> import riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
        >>> scores = riskkit.scoring.five_c().score(book.features())
        >>> rec = CreditPolicy(seller_annual_revenue=2e7).recommend(book, scores)
        >>> len(rec), bool((rec.limit >= 0).all() and (rec.limit <= 2e6).all())
        (200, True)
        """
        return recommend(self, portfolio, scores, as_of, trade_references=trade_references)

    def prepare(
        self,
        portfolio: Portfolio,
        scores: ScoreResult | None = None,
        as_of: Any = None,
        *,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> PreparedPolicy:
        """The order check prepared for one book, its scores and a date: for order entry.

        Computes once, for every customer, all that :meth:`check_order` uses
        but the order (the recommended limits of the whole book among them),
        so that each order afterwards is a lookup and a few comparisons
        (tens of microseconds instead of a pass over the book). The result is
        immutable and can be shared by the threads of a service; prepare a
        new one when the book, the scores or the date change.

        Parameters
        ----------
        portfolio : Portfolio
        scores : ScoreResult, optional
            As in :meth:`check_orders`.
        as_of : date-like, optional
            Default ``portfolio.as_of``.
        dunning_levels, trade_references : optional
            As in :meth:`check_orders`.

        Returns
        -------
        PreparedPolicy
            ``check_order(customer_id, amount, now=...)`` gives the
            :class:`CreditDecision` :meth:`check_order` gives with the same
            arguments; ``check_orders(customer_ids, amounts, now=...)`` an
            :class:`OrderChecks` (outcomes as columns, decisions written when read).

        Raises
        ------
        DataTypeError, ValidationError
            As :meth:`check_orders`, for the scores, the date, the dunning
            levels and trade references (the orders are checked when they come).

        Examples
        --------
        >>> import riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(100, seed=0)
        >>> scores = riskkit.scoring.five_c().score(book.features())
        >>> checker = CreditPolicy().prepare(book, scores, as_of="2025-12-31")
        >>> checker.check_order("C00006", 5000.0, now="2026-01-02T09:00:00+00:00").outcome
        'approve'
        >>> batch = checker.check_orders(["C00006", "C00007"], [5000.0, 5000.0])
        >>> batch.outcome.tolist()
        ['approve', 'hold']
        """
        return PreparedPolicy(
            self, portfolio, scores, as_of, dunning_levels=dunning_levels, trade_references=trade_references
        )

    def check_order(
        self,
        portfolio: Portfolio,
        customer_id: str,
        amount: float,
        as_of: Any = None,
        scores: ScoreResult | None = None,
        *,
        now: Any = None,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> CreditDecision:
        """Run the credit check on one new order (see :meth:`check_orders`).

        Each call gathers the book's facts again (with ``scores``, the
        recommended limits of every customer); an order-entry service checking
        many orders against one book calls :meth:`prepare` once instead.

        Examples
        --------
        >>> import datetime, riskkit
        >>> book = riskkit.Portfolio.from_records(
        ...     customers=[{"id": "C1"}, {"id": "C2", "blocked": True}],
        ...     exposures=[{"customer_id": "C1", "credit_limit": 10000.0, "open_orders": 6000.0}],
        ...     as_of="2025-03-31")
        >>> policy = CreditPolicy(version="2025-01")
        >>> now = datetime.datetime(2025, 3, 31, 9, 30, tzinfo=datetime.timezone.utc)
        >>> d = policy.check_order(book, "C1", 3000.0, now=now)
        >>> d.outcome, d.reason
        ('approve', 'approve: all 6 checks passed')
        >>> policy.check_order(book, "C1", 5000.0, now=now).reason
        'hold: static_limit: exposure 6,000 + order 5,000 = 11,000 > limit 10,000'
        >>> policy.check_order(book, "C2", 100.0, now=now).outcome
        'reject'
        >>> CreditDecision.from_json(d.to_json()) == d
        True
        """
        return check_orders(
            self,
            portfolio,
            [customer_id],
            [amount],
            as_of,
            scores,
            now=now,
            dunning_levels=dunning_levels,
            trade_references=trade_references,
        )[0]

    def check_orders(
        self,
        portfolio: Portfolio,
        customer_ids: Iterable[str],
        amounts: Any,
        as_of: Any = None,
        scores: ScoreResult | None = None,
        *,
        now: Any = None,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> list[CreditDecision]:
        """Run the credit check on a batch of new orders, one decision each.

        Steps (:data:`STEPS`, docs/domain.md, *Order checks*) run with the parameters of the
        customer's segment (``segment_by``), each passing or failing with a
        reason. The outcome is the most severe of the failed steps'
        ``on_fail`` (``reject`` > ``hold`` > ``conditions``); when every step
        passes, or only soft steps fail, it is ``approve_with_conditions``
        if the customer's grade requires a condition (needs ``scores``) or a
        soft step failed, else ``approve``.

        Each order is checked on its own against the exposure at ``as_of``:
        orders of one batch do not add to each other's exposure, so a batch
        gives exactly the decisions of the orders checked one by one.
        ``prepare(...).check_orders(...)`` gives the same decisions as
        columns, writing each decision and its texts only when read.

        Facts used: counted exposure (:func:`riskkit.features.compute`'s
        ``exposure``), the limit on file, days past due of the oldest open
        item (``max_days_past_due``, 0 without open items), the payment
        index of the last 365 days, the ERP block (the customer's current
        ``blocked`` flag: it has no history), and with ``scores`` the policy
        grade (after the new-customer cap), its conditions and terms.

        Parameters
        ----------
        portfolio : Portfolio
        customer_ids : iterable of str
            The ordering customer of each order.
        amounts : array-like of float
            Order amounts, finite and >= 0, one per order.
        as_of : date-like, optional
            Default ``portfolio.as_of``.
        scores : ScoreResult, optional
            Aligned with the portfolio; gives grades, conditions and the
            recommended limit (needed when a ``static_limit`` uses it).
        now : datetime.datetime or ISO string, optional
            The decision timestamp (timezone-aware; stored in UTC). Default:
            the current time. Pass it for reproducible decisions.
        dunning_levels : mapping of customer id to int, optional
            Dunning levels from your ERP; customers left out get the level
            derived from ``dunning_bands``.
        trade_references : optional
            As in :meth:`recommend`, for the recommended limit.

        Returns
        -------
        list of CreditDecision

        Raises
        ------
        DataTypeError
            ``scores`` given but not a ScoreResult.
        ValidationError
            An unknown customer id, a negative, NaN or infinite amount, as
            many amounts as orders not given, a bad dunning level, a naive
            ``now``, or misaligned ``scores``.

        Examples
        --------
        >>> import datetime, riskkit
        >>> book, _ = riskkit.datasets.make_portfolio(100, seed=0)
        >>> now = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)
        >>> decisions = CreditPolicy().check_orders(book, ["C00006", "C00007"], [5000.0, 5000.0], now=now)
        >>> [d.outcome for d in decisions]
        ['approve', 'hold']
        >>> print(decisions[1].reason)
        hold: static_limit: exposure 288,053.16 + order 5,000 = 293,053.16 > limit 265,000
        """
        return check_orders(
            self,
            portfolio,
            customer_ids,
            amounts,
            as_of,
            scores,
            now=now,
            dunning_levels=dunning_levels,
            trade_references=trade_references,
        )
