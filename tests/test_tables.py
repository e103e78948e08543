"""Tests of :mod:`boostfocal.tables`: new rows coded as in training, the schema, the CSV delimiter.

* ``read_features`` codes a file of new rows (no target, columns in another order, extra columns)
  exactly as ``read_table`` coded the same rows, with pandas and with the standard library;
* a category level that training never saw is an error naming the column and the value, or a
  missing value with ``unknown="missing"``; a missing feature column and text in a numeric column
  are errors;
* a text column whose new cells all look like numbers keeps the text codes ("7" is the level "7");
* the schema survives JSON (``save``/``load``) and refuses what it did not write;
* a semicolon- or tab-separated file is read like the comma-separated one, and the message of a
  target column that is not found names the delimiter used.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from boostfocal import tables
from boostfocal.tables import Schema, TableError, read_features, read_table

TRAIN = (
    "amount,city,flag,code,target\n"
    "1,Paris,true,7,No\n"
    "3, Rome ,false,x,Yes\n"
    "5,NA,TRUE,10,No\n"
    "4.5,Paris,False,7,No\n"
    ",Oslo,true,,Yes\n"
    "2,?,false,x,No\n"
)


class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError(f"No module named {name!r}")


@contextlib.contextmanager
def _without_pandas(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as m:
        m.delitem(sys.modules, "pandas", raising=False)
        m.setattr(sys, "meta_path", [_NoPandas(), *sys.meta_path])
        yield


@pytest.fixture(params=["pandas", "stdlib"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with pandas and with the standard library's CSV reader."""
    if request.param == "pandas":
        pytest.importorskip("pandas")
        yield "pandas"
    else:
        with _without_pandas(monkeypatch):
            yield "stdlib"


def _train(tmp_path: Path) -> tables.Table:
    path = tmp_path / "train.csv"
    path.write_text(TRAIN)
    return read_table(path)


def test_new_rows_are_coded_as_in_training(tmp_path: Path, reader: str) -> None:
    table = _train(tmp_path)
    assert table.schema.features == ("amount", "city", "flag", "code")
    assert dict(table.schema.categories) == {
        "city": ("Oslo", "Paris", "Rome"),
        "flag": (False, True),
        "code": ("10", "7", "x"),  # a text column: "7" and "10" are levels, not numbers
    }
    # the same rows 4, 1, 0, 5 without the target, columns reversed, an extra id column
    new = tmp_path / "new.csv"
    new.write_text("id,code,flag,city,amount\na,7,False,Paris,4.5\nb,x,false,Rome,3\nc,7,true,Paris,1\nd,x,false,?,2\n")
    X_new = read_features(new, table.schema)
    np.testing.assert_array_equal(X_new, table.X[[3, 1, 0, 5]])  # NaN where missing, alike
    # the Table itself serves as the schema; only numbers-looking text in a text column
    only_numbers = tmp_path / "numbers.csv"
    only_numbers.write_text("amount,city,flag,code\n1,Oslo,true,7\n2,Oslo,false,10\n")
    np.testing.assert_array_equal(read_features(only_numbers, table)[:, 3], [1.0, 0.0])


def test_an_unseen_level_is_an_error_or_a_missing_value(tmp_path: Path, reader: str) -> None:
    table = _train(tmp_path)
    new = tmp_path / "new.csv"
    new.write_text("amount,city,flag,code\n1,Lyon,true,7\n2,Paris,false,x\n3,Lyon,true,11\n")
    with pytest.raises(
        TableError, match=r"column 'city' of .*new\.csv has 2 cell\(s\) .* never saw \('Lyon'\).*unknown='missing'"
    ):
        read_features(new, table.schema)
    X_new = read_features(new, table.schema, unknown="missing")
    np.testing.assert_array_equal(X_new[:, 1], [np.nan, 1.0, np.nan])
    np.testing.assert_array_equal(X_new[:, 3], [1.0, 2.0, np.nan])
    with pytest.raises(ValueError, match="unknown must be"):
        read_features(new, table.schema, unknown="ignore")


def test_a_missing_column_or_text_in_a_numeric_column_is_an_error(tmp_path: Path, reader: str) -> None:
    table = _train(tmp_path)
    lacking = tmp_path / "lacking.csv"
    lacking.write_text("amount,city\n1,Paris\n")
    with pytest.raises(TableError, match=r"lacks the feature column\(s\) 'flag', 'code'"):
        read_features(lacking, table.schema)
    spoilt = tmp_path / "spoilt.csv"
    spoilt.write_text("amount,city,flag,code\n1,Paris,true,7\nabc,Paris,true,7\n")
    with pytest.raises(TableError, match=r"column 'amount' of .* holds 'abc'"):
        read_features(spoilt, table.schema)
    with pytest.raises(TypeError, match="schema must be"):
        read_features(spoilt, {"amount": "number"})  # type: ignore[arg-type]


def test_the_schema_survives_json(tmp_path: Path) -> None:
    schema = _train(tmp_path).schema
    schema.save(tmp_path / "s.json")
    loaded = Schema.load(tmp_path / "s.json")
    assert loaded == schema and loaded.categorical_features == [1, 2, 3] and loaded.feature_types == list("qccc")
    assert isinstance(loaded.categories["flag"][0], bool) and loaded.categories["code"][0] == "10"
    (tmp_path / "other.json").write_text('{"features": []}')
    with pytest.raises(TableError, match="not a boostfocal schema"):
        Schema.load(tmp_path / "other.json")
    with pytest.raises(TableError, match="cannot read the schema"):
        Schema.load(tmp_path / "none.json")


@pytest.mark.parametrize(("sep", "name"), [(";", "semi.csv"), ("\t", "tabs.tsv"), ("|", "pipes.csv")])
def test_the_delimiter_is_read_from_the_header(tmp_path: Path, reader: str, sep: str, name: str) -> None:
    comma = tmp_path / "comma.csv"
    comma.write_text(TRAIN)
    other = tmp_path / name
    other.write_text(TRAIN.replace(",", sep))
    assert tables.detect_separator(other) == sep
    a, b = read_table(comma), read_table(other)
    np.testing.assert_array_equal(a.X, b.X)
    assert a.feature_names == b.feature_names and list(a.y) == list(b.y) and a.schema == b.schema
    np.testing.assert_array_equal(read_features(other, b.schema), a.X)


def test_a_quoted_comma_does_not_decide_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('"a,b";"c,d";target\n1;2;0\n3;4;1\n')
    assert tables.detect_separator(path) == ";"
    assert read_table(path).feature_names == ["a,b", "c,d"]


def test_the_target_message_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("a;b;is_fraud\n1;2;0\n3;4;1\n")
    with pytest.raises(TableError, match=r"'is_fraud' is not in .*semi\.csv \(read with separator ','; set another"):
        read_table(path, target="is_fraud", sep=",")
    assert read_table(path, target="is_fraud").feature_names == ["a", "b"]
    with pytest.raises(TableError, match="the separator must be one character"):
        read_table(path, sep=";;")
