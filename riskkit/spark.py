"""Scoring on Spark: a ``mapInPandas`` recipe.

Install with ``pip install "riskkit[spark]"``. Nothing here imports PySpark:
the function :func:`score_function` returns is plain pandas in, pandas out,
and :func:`output_schema` is a DDL string. Spark calls the function on each
executor with batches (Arrow record batches turned into pandas frames) of a
features DataFrame that has a ``customer_id`` column and the scorer's
feature columns::

    from riskkit.spark import output_schema, score_function
    from riskkit.scoring._presets import five_c

    features = spark.read.parquet("features/")       # customer_id + feature columns
    scores = features.mapInPandas(score_function(five_c(), reasons=2), output_schema(reasons=2))

The scorer travels inside the function as its :func:`riskkit.save` JSON
document (a few kilobytes, no code) and is decoded once per Python worker;
a scorer JSON cannot hold is pickled with the function (by cloudpickle).

Scores equal ``scorer.score(features)`` on all rows at once, since scoring a
row never depends on another row. Reason values (``reason_j_value``) become
text, because a Spark column has one type and a reason's value may be a
number or a category; a missing value (NaN, None) is null in every text
column, never the text ``'nan'``.

Examples
--------
>>> from riskkit.datasets import make_portfolio
>>> from riskkit.scoring._presets import five_c
>>> output_schema()
'customer_id string, score double, pd double, grade string, override string'
>>> portfolio, _ = make_portfolio(20, seed=1)
>>> batch = portfolio.features().to_pandas().reset_index()    # what Spark hands over: plain pandas
>>> fn = score_function(five_c())
>>> out = next(fn(iter([batch])))
>>> list(out.columns), len(out)
(['customer_id', 'score', 'pd', 'grade', 'override'], 20)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["output_schema", "score_function"]


def _columns(reasons: int) -> list[tuple[str, str]]:
    columns = [("customer_id", "string"), ("score", "double"), ("pd", "double"), ("grade", "string"),
               ("override", "string")]
    for j in range(1, reasons + 1):
        columns += [(f"reason_{j}", "string"), (f"reason_{j}_value", "string"), (f"reason_{j}_points", "double")]
    return columns


def output_schema(reasons: int = 0) -> str:
    """The DDL schema of what :func:`score_function` yields, for ``mapInPandas``.

    Parameters
    ----------
    reasons : int, default 0
        Reason codes per row; each adds ``reason_j string``,
        ``reason_j_value string`` and ``reason_j_points double``.

    Examples
    --------
    >>> output_schema(reasons=1)
    'customer_id string, score double, pd double, grade string, override string, reason_1 string, reason_1_value string, reason_1_points double'
    """
    from riskkit.scoring._base import check_reasons

    return ", ".join(f"{name} {kind}" for name, kind in _columns(check_reasons(reasons)))


def _texts(column: Any) -> Any:
    """A pandas column as text for a Spark ``string`` column: missing values (None, NaN, NA, NaT) are null."""
    import pandas as pd

    missing = column.isna().tolist()
    values = [None if gone else str(value) for value, gone in zip(column.tolist(), missing, strict=True)]
    return pd.Series(values, index=column.index, dtype=object)


def score_function(
    scorer: Any, reasons: int = 0
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """A function scoring an iterator of pandas feature frames, for ``DataFrame.mapInPandas``.

    Parameters
    ----------
    scorer : Scorer
        Any riskkit scorer (saved scorers travel as their JSON document).
    reasons : int, default 0
        Reason codes per row.

    Returns
    -------
    callable
        ``Iterator[pandas.DataFrame] -> Iterator[pandas.DataFrame]``. Each
        input frame holds a ``customer_id`` column and the scorer's features
        (other columns are ignored); each output frame has exactly the
        columns of :func:`output_schema` ``(reasons)``, in that order.

    Raises
    ------
    ValidationError
        ``reasons`` is not a whole number >= 0 or ``scorer`` has no ``score``.
    """
    from riskkit.dask import scorer_document
    from riskkit.errors import ValidationError
    from riskkit.scoring._base import check_reasons

    k = check_reasons(reasons)
    if not callable(getattr(scorer, "score", None)):
        raise ValidationError(f"scorer must have a score method, got {type(scorer).__name__}", field="scorer")
    document = scorer_document(scorer)
    shipped: Any = scorer if document is None else document
    text_columns = ["customer_id", "grade", "override"]
    text_columns += [name for j in range(1, k + 1) for name in (f"reason_{j}", f"reason_{j}_value")]

    def score_batches(batches: Iterator[Any]) -> Iterator[Any]:
        from riskkit.dask import score_frame

        for batch in batches:
            if "customer_id" not in batch.columns:
                raise ValidationError(
                    "each batch needs a customer_id column beside the features; got columns "
                    + ", ".join(map(str, batch.columns)),
                    field="customer_id",
                )
            out = score_frame(batch, shipped, k)
            for name in text_columns:
                out[name] = _texts(out[name])
            yield out

    return score_batches
