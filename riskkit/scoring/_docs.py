"""Docstring sections the trainable scorers share (Scorecard, LogisticScorer, DecisionTreeScorer), written once.

What every trainable scorer takes and learns the same way (the scaling and
labels parameters, the fitted input, ``fit``'s arguments) is documented here;
a scorer's docstring names a section by a line holding only ``{name}``, and
:func:`shared_docs` puts the section in its place.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import TypeVar

__all__ = ["DOC_SECTIONS", "shared_docs"]

T = TypeVar("T", bound=type)

#: The sections, by name.
DOC_SECTIONS = {
    "scaling and labels": """
        base_score, base_odds, pdo : float, default 600, 50, 20
            Scaling (docs/domain.md, *Scorecard scaling*).
        unknown : {"error", "missing", "worst"}, default "error"
            What a category never seen in training does at scoring time.
        bad_label : object, optional
            The label of the bad class in y; by default the greater of the two labels.
        """,
    "fitted input": """
        n_features_in_ : int
        feature_names_in_ : ndarray of str
            Only when fitted on named input.
        classes_ : ndarray
            The two class labels, sorted.
        """,
    "fitted scales": """
        scaling_ : Scaling
            The scaling of ``base_score``, ``base_odds`` and ``pdo``.
        master_scale_ : MasterScale
            The grades of ``master_scale``.
        """,
    "fit": """
        Parameters
        ----------
        X : FeatureFrame, DataFrame, mapping of name to array, or 2-D array
        y : array-like of two class labels (bad = ``bad_label`` or the greater label)

        Returns
        -------
        self
        """,
}
_SECTION_LINE = re.compile(r"^( *)\{([a-z ]+)\}$", re.MULTILINE)


def shared_docs(cls: T) -> T:
    """Class decorator: fill :data:`DOC_SECTIONS` into the docstrings of ``cls`` and of its methods.

    A docstring line holding only ``{name}`` of a section is replaced by the
    section, indented as that line.
    """

    def fill(doc: str) -> str:
        def section(match: re.Match[str]) -> str:
            text = textwrap.dedent(DOC_SECTIONS[match.group(2)]).strip("\n")
            return textwrap.indent(text, match.group(1))

        return _SECTION_LINE.sub(section, doc)

    if cls.__doc__:
        cls.__doc__ = fill(cls.__doc__)
    for value in vars(cls).values():
        if inspect.isfunction(value) and value.__doc__:
            value.__doc__ = fill(value.__doc__)
    return cls
