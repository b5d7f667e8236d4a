"""Portfolio.from_arrow, Portfolio.from_parquet and categorical frames: the same book and the same rejections
as the other constructors, with text checked and interned once per distinct value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from riskkit import Portfolio  # noqa: E402
from riskkit._ingest import text_from_arrow  # noqa: E402
from riskkit.dask import read_partitioned, write_partitioned  # noqa: E402
from riskkit.datasets._synthetic import generate  # noqa: E402
from riskkit.errors import SchemaError, ValidationError  # noqa: E402

from .test_portfolio import assert_same  # noqa: E402

AS_OF = "2025-12-31"


def _customers() -> Any:
    return pa.table({"id": ["C1", "C2", "C3"], "name": ["Acme", "Bolt", "Corvid"]})


def _invoices(customer_id: Any) -> Any:
    n = len(customer_id)
    return pa.table({
        "id": [f"I{i}" for i in range(n)],
        "customer_id": customer_id,
        "issued": pa.array([dt.date(2025, 1, 1)] * n, pa.date32()),
        "due": pa.array([dt.date(2025, 1, 31)] * n, pa.date32()),
        "amount": [100.0] * n,
    })


def test_a_partitioned_book_loads_the_same_from_parquet_arrow_and_frames(tmp_path: Path) -> None:
    raw, _ = generate(120, seed=3)
    book = write_partitioned(tmp_path / "book", raw, npartitions=3)
    frames = read_partitioned(book)
    assert str(frames["invoices"]["customer_id"].dtype) == "category"  # the categorical path is taken
    expected = Portfolio.from_frames(**frames, as_of=AS_OF)
    assert_same(Portfolio.from_parquet(book, as_of=AS_OF), expected)
    tables = {name: pa.Table.from_pandas(df, preserve_index=False) for name, df in frames.items()}
    assert_same(Portfolio.from_arrow(**tables, as_of=AS_OF), expected)
    # and the same as the book built from its plain arrays, partition order aside
    plain = Portfolio.from_arrays(**raw, as_of=AS_OF)
    assert sorted(plain.customer_ids.tolist()) == sorted(expected.customer_ids.tolist())
    assert plain.features().to_pandas().sort_index().equals(expected.features().to_pandas().sort_index())


@pytest.mark.parametrize("shared", [False, True])
def test_dictionaries_given_as_disjoint_are_put_end_to_end_or_else_unified(shared: bool) -> None:
    """A partitioned book's customer ids: each distinct dictionary once, end to end, their chunks' codes moved
    along; dictionaries that do share a value (two row groups of one file, say) are unified after all."""
    from riskkit._arrow import columns_from_arrow

    parts = [["C1", "C2", "C1"], ["C3", "C2" if shared else "C4"], ["C5"]]
    encoded = [pa.array(p).dictionary_encode() for p in parts]
    # the chunks of one row group share their dictionary: a second chunk on the first one's dictionary
    again = pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), encoded[0].dictionary)
    column = pa.chunked_array([*encoded, again, encoded[0].slice(0, 0)])
    table = pa.table({"customer_id": column})
    plain = [v for p in parts for v in p] + ["C2", "C1"]
    for disjoint in (frozenset(), frozenset({"customer_id"})):
        got = columns_from_arrow("invoices", table, disjoint)["customer_id"]
        assert got.dtype == object and got.tolist() == plain


def test_a_partitioned_book_whose_files_repeat_customers_across_row_groups_loads_the_same(tmp_path: Path) -> None:
    raw, _ = generate(60, seed=5)
    book = write_partitioned(tmp_path / "book", raw, npartitions=2)
    expected = Portfolio.from_parquet(book, as_of=AS_OF)
    # one partition rewritten as two row groups over the same customers: two dictionaries sharing values
    path = tmp_path / "book" / "invoices" / "part-00000.parquet"
    table = pq.read_table(path)
    pq.write_table(table, path, row_group_size=max(1, table.num_rows // 2))
    assert pq.ParquetFile(path).metadata.num_row_groups > 1
    assert_same(Portfolio.from_parquet(book, as_of=AS_OF), expected)


def test_some_partitions_of_a_book(tmp_path: Path) -> None:
    raw, _ = generate(60, seed=4)
    book = write_partitioned(tmp_path / "book", raw, npartitions=3)
    parts = [Portfolio.from_parquet(book, partitions=i, as_of=AS_OF) for i in range(3)]
    assert sum(p.n_customers for p in parts) == 60
    assert_same(parts[1], Portfolio.from_frames(**read_partitioned(book, 1), as_of=AS_OF))


def test_parquet_files_per_table(tmp_path: Path) -> None:
    pq.write_table(_customers(), tmp_path / "c.parquet")
    pq.write_table(_invoices(["C2", "C2", "C3"]), tmp_path / "i.parquet", row_group_size=1)
    p = Portfolio.from_parquet(customers=tmp_path / "c.parquet", invoices=str(tmp_path / "i.parquet"), as_of=AS_OF)
    assert p.invoices["customer"].tolist() == [1, 1, 2]
    assert p.invoices["customer_id"].tolist() == ["C2", "C2", "C3"]


def test_a_folder_with_a_parquet_file_per_table(tmp_path: Path) -> None:
    pq.write_table(_customers(), tmp_path / "customers.parquet")
    pq.write_table(_invoices(["C3", "C1"]), tmp_path / "invoices.parquet")
    (tmp_path / "notes.parquet").write_text("not a table of the book: ignored")
    p = Portfolio.from_parquet(tmp_path, as_of=AS_OF)
    assert p.n_customers == 3 and p.invoices["customer_id"].tolist() == ["C3", "C1"]
    with pytest.raises(ValidationError, match="one file per table, not partitions"):
        Portfolio.from_parquet(tmp_path, partitions=0)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValidationError, match=r"holds neither a partitioned book .* nor a customers\.parquet file"):
        Portfolio.from_parquet(empty)


def test_from_parquet_refuses_a_book_and_tables_together_and_names_unknown_keywords(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="a book folder or tables"):
        Portfolio.from_parquet(tmp_path, customers=tmp_path / "c.parquet")
    with pytest.raises(SchemaError, match="partitions is for a book folder"):
        Portfolio.from_parquet(customers=tmp_path / "c.parquet", partitions=1)
    with pytest.raises(SchemaError, match=r"unknown keyword argument\(s\) 'invoice' \(did you mean 'invoices'\?\)"):
        Portfolio.from_parquet(customers=tmp_path / "c.parquet", invoice=tmp_path / "i.parquet")
    with pytest.raises(SchemaError, match="customers is required"):
        Portfolio.from_parquet(invoices=tmp_path / "i.parquet")


def test_an_unreadable_parquet_file_is_a_validation_error_naming_the_table(tmp_path: Path) -> None:
    (tmp_path / "c.parquet").write_text("id,name\nC1,Acme\n")
    with pytest.raises(ValidationError, match=r"^customers: cannot read Parquet") as info:
        Portfolio.from_parquet(customers=tmp_path / "c.parquet")
    assert info.value.table == "customers"


def test_the_build_reads_its_tables_in_the_order_a_reader_reads_ahead() -> None:
    """Portfolio.from_parquet reads the next table of READ_ORDER while one is checked: that is the order in
    which a build asks for them (a table asked out of order would be read twice over in memory)."""
    from collections.abc import Iterator, Mapping

    from riskkit._ingest import READ_ORDER
    from riskkit.portfolio import _TABLE_ORDER

    raw, _ = generate(20, seed=1)
    asked: list[str] = []

    class Spy(Mapping[str, Any]):
        def __getitem__(self, name: str) -> Any:
            asked.append(name)
            return raw[name]

        def __iter__(self) -> Iterator[str]:
            return iter(raw)

        def __len__(self) -> int:
            return len(raw)

    from riskkit.portfolio import _Options

    Portfolio._build(Spy(), _Options(AS_OF, (), "raise", "error", None, None, 1.0, None))
    assert [name for name in asked if name in raw] == [name for name in READ_ORDER if name in raw]
    assert sorted(READ_ORDER) == sorted(_TABLE_ORDER)


def test_a_table_read_ahead_that_cannot_be_read_fails_when_its_turn_comes(tmp_path: Path) -> None:
    """An unreadable invoices file, read ahead while customers are checked, raises naming invoices; a bad
    customers table before it raises first, naming customers."""
    pq.write_table(_customers(), tmp_path / "c.parquet")
    (tmp_path / "i.parquet").write_text("not parquet")
    with pytest.raises(ValidationError, match=r"^invoices: cannot read Parquet") as info:
        Portfolio.from_parquet(customers=tmp_path / "c.parquet", invoices=tmp_path / "i.parquet")
    assert info.value.table == "invoices"
    pq.write_table(pa.table({"id": ["C1", "C1"]}), tmp_path / "twice.parquet")
    with pytest.raises(ValidationError, match="customers") as info:
        Portfolio.from_parquet(customers=tmp_path / "twice.parquet", invoices=tmp_path / "i.parquet")
    assert info.value.table == "customers"


@pytest.mark.parametrize("encode", [False, True])
def test_an_unknown_customer_in_a_dictionary_column_is_rejected_naming_its_row(encode: bool) -> None:
    refs = pa.array(["C1", "C9", "C2", "C9"])
    invoices = _invoices(refs.dictionary_encode() if encode else refs)
    p = Portfolio.from_arrow(customers=_customers(), invoices=invoices, errors="collect", as_of=AS_OF)
    assert p.invoices["customer_id"].tolist() == ["C1", "C2"]
    assert [(r.row, r.field, r.value, r.reason) for r in p.rejected] == [
        (1, "customer_id", "C9", "is not a known customer id"), (3, "customer_id", "C9", "is not a known customer id")]
    with pytest.raises(ValidationError, match=r"^invoices row 1 \(id 'I1'\): field 'customer_id' \('C9'\) is not a known customer id"):
        Portfolio.from_arrow(customers=_customers(), invoices=invoices, as_of=AS_OF)


@pytest.mark.parametrize("source", ["arrow", "categorical"])
def test_empty_and_missing_references_in_coded_columns_are_rejected(source: str) -> None:
    values = ["C1", " ", None, "C3"]
    if source == "arrow":
        invoices = _invoices(pa.array(values).dictionary_encode())
        build = lambda **kw: Portfolio.from_arrow(customers=_customers(), invoices=invoices, **kw)  # noqa: E731
    else:
        frame = _invoices(values).to_pandas()
        frame["customer_id"] = frame["customer_id"].astype("category")
        build = lambda **kw: Portfolio.from_frames(customers=_customers().to_pandas(), invoices=frame, **kw)  # noqa: E731
    p = build(errors="collect", as_of=AS_OF)
    assert p.invoices["customer_id"].tolist() == ["C1", "C3"]
    assert [(r.row, r.field) for r in p.rejected] == [(1, "customer_id"), (2, "customer_id")]
    assert p.rejected[0].reason == "is empty; it is required"


def test_duplicate_customer_ids_given_as_categories_name_the_first_row() -> None:
    customers = pd.DataFrame({"id": pd.Categorical(["C1", "C2", "C1", "C3", "C2"], categories=["C3", "C2", "C1", "C7"])})
    p = Portfolio.from_frames(customers=customers, errors="collect", as_of=AS_OF)
    assert p.customer_ids.tolist() == ["C1", "C2", "C3"]
    assert [(r.row, r.reason) for r in p.rejected] == [
        (2, "is a duplicate (first at row 0)"), (4, "is a duplicate (first at row 1)")]


def test_categories_nobody_uses_change_nothing() -> None:
    frame = _invoices(["C2", "C2"]).to_pandas()
    frame["customer_id"] = pd.Categorical(frame["customer_id"], categories=["", "C2", "zz", " "])
    p = Portfolio.from_frames(customers=_customers().to_pandas(), invoices=frame, as_of=AS_OF)
    assert p.invoices["customer"].tolist() == [1, 1] and p.rejected == ()
    assert p.invoices["customer_id"][0] is p.customer_ids[1]  # the customer's own string, not a copy per row


def test_arrow_types_numpy_cannot_hold_come_over_as_values_checked_one_by_one() -> None:
    customers = pa.table({
        "id": pa.array(["C1", "Čapek", "C3"]),                   # beyond ASCII: Python strings
        "name": pa.array(["Acme", None, "Corvid"]),              # a missing optional text: the default
        "industry_risk": pa.array([1, None, 3], pa.int64()),     # a nullable integer: None is missing
        "blocked": pa.array([True, None, False]),
        "established": pa.array([dt.datetime(1999, 1, 2), None, dt.datetime(2001, 3, 4)], pa.timestamp("ms")),
    })
    p = Portfolio.from_arrow(customers=customers, as_of=AS_OF, errors="collect")
    assert p.customer_ids.tolist() == ["C1", "Čapek", "C3"]
    assert p.customers["name"].tolist() == ["Acme", "", "Corvid"]
    np.testing.assert_array_equal(p.customers["industry_risk"], [1.0, np.nan, 3.0])
    assert str(p.customers["established"][0]) == "1999-01-02" and np.isnat(p.customers["established"][1])


def test_arrow_input_is_refused_clearly() -> None:
    with pytest.raises(ValidationError, match=r"^customers: expected a pyarrow Table or RecordBatch, got DataFrame"):
        Portfolio.from_arrow(customers=pd.DataFrame({"id": ["C1"]}))
    twice = pa.Table.from_arrays([pa.array(["C1"]), pa.array(["C2"])], names=["id", "id"])
    with pytest.raises(ValidationError, match=r"^customers: duplicate column names \['id'\]"):
        Portfolio.from_arrow(customers=twice)
    zoned = pa.table({"id": ["C1"], "established": pa.array([0], pa.timestamp("s", tz="Europe/Berlin"))})
    with pytest.raises(ValidationError, match=r"column 'established' has a time zone \(Europe/Berlin\); give plain"):
        Portfolio.from_arrow(customers=zoned)
    timed = pa.table({"id": ["C1"], "established": pa.array([dt.datetime(2020, 1, 1, 12)], pa.timestamp("s"))})
    with pytest.raises(ValidationError, match=r"^customers row 0 \(id 'C1'\): field 'established'"):
        Portfolio.from_arrow(customers=timed)
    batch = pa.RecordBatch.from_pydict({"id": ["C1", "C2"]})
    assert Portfolio.from_arrow(customers=batch).customer_ids.tolist() == ["C1", "C2"]


ascii_text = st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=127), max_size=7)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(ascii_text, max_size=5), max_size=5), st.booleans())
def test_text_from_arrow_equals_numpy_over_any_chunking(chunks: list[list[str]], large: bool) -> None:
    kind = pa.large_string() if large else pa.string()
    column = pa.chunked_array([pa.array(c, kind) for c in chunks], kind)
    flat = [t for c in chunks for t in c]
    got = text_from_arrow(column)
    assert got is not None
    assert got.tolist() == flat
    if flat:
        assert got.dtype == np.array(flat).dtype or max(map(len, flat)) == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["C1", "C2", "C3", "C9", "", " C1", None]), max_size=12),
    st.integers(1, 5),
)
def test_coded_references_are_judged_as_plain_ones(refs: list[str | None], chunk: int) -> None:
    def outcome(invoices: Any, frames: bool = False) -> Any:
        try:
            if frames:
                return Portfolio.from_frames(customers=_customers().to_pandas(), invoices=invoices, errors="collect",
                                             as_of=AS_OF)
            return Portfolio.from_arrow(customers=_customers(), invoices=invoices, errors="collect", as_of=AS_OF)
        except ValidationError as exc:  # every invoice rejected
            return str(exc)

    def same(a: Any, b: Any) -> None:
        if isinstance(a, str) or isinstance(b, str):
            assert a == b
        else:
            assert_same(a, b)
            assert a.rejected == b.rejected

    invoices = _invoices(refs)
    reference = outcome(invoices)
    encoded = invoices.set_column(1, "customer_id", invoices.column(1).dictionary_encode())
    encoded = pa.Table.from_batches(encoded.to_batches(max_chunksize=chunk), schema=encoded.schema) if refs else encoded
    same(outcome(encoded), reference)
    if None not in refs:
        frame = invoices.to_pandas()
        frame["customer_id"] = frame["customer_id"].astype("category")
        same(outcome(frame, frames=True), reference)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["I1", "I2", "I10", "I2 ", "", " ", "A-7"]), min_size=1, max_size=8),
    st.lists(st.sampled_from(["I1", "I2", "I10", "I9", "Ï1", "I1\x00", "", "A-7"]), max_size=8),
    st.lists(st.sampled_from(["", "I1", "I2", "I9", "Ï2"]), min_size=8, max_size=8),
)
def test_document_numbers_read_as_ascii_bytes_are_judged_as_text(ids: list[str], paid: list[str],
                                                                   applies: list[str]) -> None:
    # from Arrow, ASCII document numbers are checked, looked up and kept as bytes: the same tables and
    # rejections (duplicates, empty ids, credit notes and payments naming unknown or non-ASCII ids) as text
    n = len(ids)
    amounts = [-50.0 if k % 3 == 2 else 100.0 for k in range(n)]  # every third a credit note
    invoices = {"id": ids, "customer_id": ["C1"] * n, "issued": [dt.date(2025, 1, 1)] * n,
                "due": [dt.date(2025, 1, 31)] * n, "amount": amounts, "applies_to": applies[:n]}
    payments = {"invoice_id": paid, "date": [dt.date(2025, 2, 1)] * len(paid), "amount": [10.0] * len(paid)}

    def outcome(arrow: bool) -> Any:
        try:
            if arrow:
                return Portfolio.from_arrow(customers=_customers(), invoices=pa.table(invoices),
                                            payments=pa.table(payments, schema=pa.schema([
                                                ("invoice_id", pa.string()), ("date", pa.date32()),
                                                ("amount", pa.float64())])),
                                            errors="collect", as_of=AS_OF)
            return Portfolio.from_arrays(customers={k: np.array(v, dtype=object) for k, v in
                                                    _customers().to_pydict().items()},
                                         invoices={k: np.array(v, dtype=object) for k, v in invoices.items()},
                                         payments={k: np.array(v, dtype=object) for k, v in payments.items()},
                                         errors="collect", as_of=AS_OF)
        except ValidationError as exc:  # every invoice rejected
            return str(exc)

    def frames() -> Any:  # Arrow-backed text in pandas frames, the customer references as categories
        def frame(table: dict[str, list[Any]]) -> Any:
            return pd.DataFrame({k: pd.Series(v, dtype="category" if k == "customer_id" else
                                              "string[pyarrow]" if v and isinstance(v[0], str) else None)
                                 for k, v in table.items()})

        try:
            return Portfolio.from_frames(customers=_customers().to_pandas(), invoices=frame(invoices),
                                         payments=frame(payments) if paid else None, errors="collect", as_of=AS_OF)
        except ValidationError as exc:
            return str(exc)

    expected = outcome(False)
    for got in (outcome(True), frames()):
        if isinstance(got, str) or isinstance(expected, str):
            assert got == expected
            continue
        assert_same(got, expected)
        assert got.rejected == expected.rejected
        assert all(type(r.id) in (str, type(None)) and not isinstance(r.value, bytes) for r in got.rejected)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["C1", "C2", "C9", "", " ", "C3"]), max_size=8),
    st.lists(st.sampled_from(["C1", "C2", "C9", "", "C3"]), max_size=6),
    st.lists(st.sampled_from(["C1", "C9", " ", "C2"]), max_size=6),
    st.sampled_from(["collect", "raise"]),
)
def test_required_references_read_through_their_codes_are_judged_as_plain_ones(
        exposed: list[str], ordered: list[str], promised: list[str], errors: str) -> None:
    # dictionary-encoded customer references of exposures (one per customer), orders and promises make no
    # object per row: duplicates, empty and unknown references are rejected with the same rows, ids and values
    def tables(encode: bool) -> dict[str, Any]:
        def ref(values: list[str]) -> Any:
            column = pa.array(values, pa.string())
            return column.dictionary_encode() if encode else column

        return {
            "customers": _customers(),
            "exposures": pa.table({"customer_id": ref(exposed), "credit_limit": [1000.0] * len(exposed)}),
            "orders": pa.table({"customer_id": ref(ordered), "date": pa.array([dt.date(2025, 3, 1)] * len(ordered)),
                                "amount": [5.0] * len(ordered)}),
            "promises": pa.table({"customer_id": ref(promised), "made": pa.array([dt.date(2025, 3, 1)] * len(promised)),
                                  "due": pa.array([dt.date(2025, 3, 9)] * len(promised)),
                                  "amount": [7.0] * len(promised)}),
        }

    def outcome(encode: bool, frames: bool = False) -> Any:
        given = tables(encode)
        try:
            if frames:  # pandas categoricals
                given = {name: t.to_pandas() for name, t in given.items()}
                for name in ("exposures", "orders", "promises"):
                    given[name]["customer_id"] = given[name]["customer_id"].astype("category")
                return Portfolio.from_frames(**given, errors=errors, as_of=AS_OF)
            return Portfolio.from_arrow(**given, errors=errors, as_of=AS_OF)
        except ValidationError as exc:
            return str(exc)

    expected = outcome(False)
    for got in (outcome(True), outcome(False, frames=True)):
        if isinstance(got, str) or isinstance(expected, str):
            assert got == expected
            continue
        assert_same(got, expected)
        assert got.rejected == expected.rejected
