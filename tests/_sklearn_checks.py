"""scikit-learn conformance checks riskkit's trainable scorers are known not to pass, with the reason."""

from __future__ import annotations

from typing import Any


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """For ``parametrize_with_checks(..., expected_failed_checks=...)``: the checks that fail by design.

    The issue asks that equal weights fit as no weights (weights of 2 for every
    row give the same card). scikit-learn's check wants integer weights to fit
    as repeated rows. Both cannot hold under an L2 penalty, a row-based minimum
    leaf or bin size and row folds: riskkit scales weights to a mean of 1 and
    keeps the first (tests/scoring/test_sample_weight.py).
    """
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "weights are scaled to a mean of 1 so that equal weights fit as none; integer weights are not "
            "repeated rows under the L2 penalty, leaf size or folds"
        )
    }
