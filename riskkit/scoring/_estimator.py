"""scikit-learn's estimator API without importing scikit-learn.

Trainable scorers are scikit-learn estimators (``get_params``/``set_params``,
parameters stored unchanged in ``__init__`` and checked when fitting,
learned attributes ending in ``_``), but a saved scorer must load and score
in a process that never imports scikit-learn. So instead of inheriting
``BaseEstimator`` they use this mixin, and build scikit-learn's tags lazily
when scikit-learn asks for them.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from riskkit._checks import Constraint, check
from riskkit.errors import NotFittedError, ValidationError


class EstimatorMixin:
    """``get_params``/``set_params``/``__repr__``, parameter checks, binary-classifier tags and outputs.

    A subclass declares ``_constraints``: for each parameter checked at fit,
    the constraints of which it must meet one (:func:`riskkit._checks.check`).
    """

    _estimator_type = "classifier"
    _constraints: ClassVar[Mapping[str, tuple[Constraint, ...]]] = {}

    def _validate_params(self) -> None:
        """Check every declared parameter; a ValidationError names the first one refused."""
        for name, accepted in self._constraints.items():
            check(name, getattr(self, name), *accepted)

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name for p in sig.parameters.values() if p.name != "self" and p.kind != p.VAR_KEYWORD
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator (scikit-learn API)."""
        out: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Any:
        """Set parameters (scikit-learn API); an unknown name raises naming the valid ones."""
        valid = self._param_names()
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValidationError(
                    f"invalid parameter {name!r} for {type(self).__name__}; valid parameters: {', '.join(valid)}",
                    field=name,
                )
            if sub:
                getattr(self, name).set_params(**{sub: value})
            else:
                setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values() if p.name != "self"
        }
        changed = []
        for name in self._param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = bool(value == default) if not hasattr(value, "__array__") else False
            except Exception:
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(multi_class=False),
            input_tags=InputTags(allow_nan=True),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "n_features_in_")

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise _not_fitted_error()(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator."
            )

    # --- what was learned about the input (set by fit and by loading) -------

    def _set_inputs(
        self,
        names: Sequence[str],
        named: bool,
        kinds: Mapping[str, str] | None,
        classes: np.ndarray,
        bad_positive: bool,
    ) -> None:
        """The fitted input: feature names (real or ``x0, x1, ...``), their kinds and the two classes.

        ``bad_positive`` says whether ``classes[1]`` is the bad class.
        """
        self.classes_ = classes
        self._bad_positive_ = bad_positive
        self._named_ = named
        self._feature_names_ = tuple(names)
        if kinds is not None:
            self._kinds_ = dict(kinds)
        if named:
            self.feature_names_in_ = np.asarray(names, dtype=object)
        else:
            self.__dict__.pop("feature_names_in_", None)
        self.n_features_in_ = len(names)

    # --- scikit-learn's outputs from a PD or from the log-odds of bad --------

    def _probabilities(self, pd: np.ndarray) -> np.ndarray:
        """Probabilities of each class, shape (n, 2): ``[:, 1]`` is the probability of ``classes_[1]``."""
        out = np.empty((pd.size, 2))
        bad = 1 if self._bad_positive_ else 0
        out[:, bad] = pd
        np.subtract(1.0, pd, out=out[:, 1 - bad])
        return out

    def _toward_positive(self, bad_odds: np.ndarray) -> np.ndarray:
        """Log-odds of ``classes_[1]`` from the log-odds of bad."""
        return np.asarray(bad_odds if self._bad_positive_ else -bad_odds)

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class of each row: ``classes_[1]`` where ``decision_function > 0``."""
        positive = self.decision_function(X) > 0  # type: ignore[attr-defined]
        return np.asarray(self.classes_[positive.astype(np.int64)])


_NOT_FITTED: list[type[NotFittedError]] = []


def _not_fitted_error() -> type[NotFittedError]:
    """riskkit's NotFittedError, also a subclass of scikit-learn's when scikit-learn is installed.

    Built on the error path only, so scoring never imports scikit-learn.
    """
    if not _NOT_FITTED:
        try:
            from sklearn.exceptions import NotFittedError as SklearnNotFitted
        except ImportError:  # pragma: no cover - scikit-learn is a dependency
            _NOT_FITTED.append(NotFittedError)
        else:
            _NOT_FITTED.append(type("NotFittedError", (NotFittedError, SklearnNotFitted), {"__module__": __name__}))
    return _NOT_FITTED[0]
