"""Management and contact signals (docs/domain.md, *Warning signals*, management).

Each counts one kind of event in a recent window. Alone, a change of people
or of bank has many innocent reasons and is common among sound customers, so
one such event is ``info`` and a changed explanation ``watch``; only
repetition within the window goes further. A customer that cannot be reached
is the exception: it is a ``warning`` at once.
"""

from __future__ import annotations

from riskkit.records import EventKind
from riskkit.signals._events import EventCountSignal
from riskkit.signals._registry import register


@register("key_person_change")
class KeyPersonChange(EventCountSignal):
    """Key people (owner, managing director, CFO, the buyer we deal with) left in the last 180 days.

    Value: number of ``key_person_change`` events dated in
    ``(as_of - 180 days, as_of]``.

    Window: 180 days.

    Default thresholds (value at least): ``info`` 1; ``watch`` 2.

    Evidence: the events, newest first.
    """

    kinds = (EventKind.KEY_PERSON_CHANGE,)
    category = "management"
    description = "Key people changed in the last 180 days (count of events)."
    thresholds = {"info": 1.0, "watch": 2.0}
    window_days = 180


@register("contact_unreachable")
class ContactUnreachable(EventCountSignal):
    """The customer could not be reached in the last 90 days.

    Value: number of ``contact_unreachable`` events dated in
    ``(as_of - 90 days, as_of]``.

    Window: 90 days.

    Default thresholds (value at least): ``warning`` 1 (unlike a change of
    people, a customer that stops answering its creditors is a classic sign
    of trouble); ``critical`` 3 (gone dark).

    Evidence: the events, newest first.
    """

    kinds = (EventKind.CONTACT_UNREACHABLE,)
    category = "management"
    description = "Times the customer could not be reached in the last 90 days."
    thresholds = {"warning": 1.0, "critical": 3.0}
    window_days = 90


@register("bank_change")
class BankChange(EventCountSignal):
    """The customer changed its bank account in the last 180 days.

    Value: number of ``bank_change`` events dated in
    ``(as_of - 180 days, as_of]``.

    Window: 180 days.

    Default thresholds (value at least): ``info`` 1; ``watch`` 2 (a bank
    that cancelled the account, or payments moved out of a creditor's reach).

    Evidence: the events, newest first.
    """

    kinds = (EventKind.BANK_CHANGE,)
    category = "management"
    description = "Bank account changes in the last 180 days (count)."
    thresholds = {"info": 1.0, "watch": 2.0}
    window_days = 180


@register("explanation_change")
class ExplanationChange(EventCountSignal):
    """The customer's explanations (for late payment, for a dispute) keep changing.

    Value: number of ``explanation_change`` events (each one recorded when
    the customer's story changed) dated in ``(as_of - 90 days, as_of]``.

    Window: 90 days.

    Default thresholds (value at least): ``watch`` 1; ``warning`` 2 (the
    story changed twice within a quarter).

    Evidence: the events, newest first.
    """

    kinds = (EventKind.EXPLANATION_CHANGE,)
    category = "management"
    description = "Changes of the customer's explanations in the last 90 days (count)."
    thresholds = {"watch": 1.0, "warning": 2.0}
    window_days = 90
