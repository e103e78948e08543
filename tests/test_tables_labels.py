"""Labels and numbers read right (issue #25, point 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from boostfocal import cli, tables, tune
from boostfocal.tables import TableError, read_table


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_labels_differing_only_in_case_or_spaces_are_an_error_naming_them(tmp_path: Path) -> None:
    rows = [f"{i},{'Yes' if i % 10 == 0 else 'No'}" for i in range(200)] + [f"{i},yes" for i in range(5)]
    path = _write(tmp_path / "t.csv", "x,target", rows)
    with pytest.raises(TableError, match=r"differ only in case or spaces: 'Yes' \(20 rows\), 'yes' \(5 rows\)"):
        read_table(path)
    with pytest.raises(ValueError, match="differ only in case or spaces"):
        tune(np.zeros((6, 1)), ["a", "a", " a", "b", "b", "b"], progress=False)


def test_a_class_under_a_handful_of_rows_is_an_error_naming_it(tmp_path: Path) -> None:
    rows = [f"{i},{'yes' if i % 10 == 0 else 'no'}" for i in range(200)] + ["1,maybe", "2,maybe"]
    path = _write(tmp_path / "t.csv", "x,target", rows)
    with pytest.raises(TableError, match=r"class 'maybe' \(2 rows\) has fewer than 5 rows"):
        read_table(path)


def test_a_deliberate_multiclass_run_says_so_with_its_classes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(0)
    rows = [f"{rng.normal():.3f},{['low', 'mid', 'high'][i % 3]}" for i in range(300)]
    path = _write(tmp_path / "t.csv", "x,target", rows)

    class Stop(Exception):
        pass

    def fake(*args: object, **kwargs: object) -> None:
        raise Stop

    monkeypatch.setattr(cli._run, "tune", fake)
    with pytest.raises(SystemExit):
        cli.main(["tune", str(path), "--quiet"])
    out = capsys.readouterr().out
    assert "Multiclass target 'target': 3 classes ('high', 'low', 'mid')" in out


def test_decimal_commas_are_read_as_numbers(tmp_path: Path) -> None:
    """A ';' file with decimal commas and '.' grouping thousands: numbers, as in the file."""
    rows = [f"{i};{i // 10},{i % 10}5;{1 + i % 3}.{i:03d},{i % 10}0;{int(i % 20 == 0)}" for i in range(200)]
    path = _write(tmp_path / "eu.csv", "id;balance;income;target", rows)
    table = read_table(path, drop=["id"])
    assert table.categorical_features == []  # numbers, not text
    bal = table.X[:, table.feature_names.index("balance")]
    np.testing.assert_allclose(bal[:3], [0.05, 0.15, 0.25])
    inc = table.X[:, table.feature_names.index("income")]
    assert inc[1] == pytest.approx(2001.1)  # '2.001,10'
    expected = [float(r.split(";")[2].replace(".", "").replace(",", ".")) for r in rows]
    np.testing.assert_allclose(inc, expected)


def test_numbers_in_two_notations_get_no_advice_to_drop_the_column(tmp_path: Path) -> None:
    rows = [f"{i}.5,{int(i % 10 == 0)}" for i in range(100)] + ['"3,5 EUR",0']
    path = _write(tmp_path / "mixed.csv", "amount,target", rows)
    with pytest.raises(TableError) as info:
        read_table(path)
    assert "more than one notation" in str(info.value) and "drop" not in str(info.value)
    assert tables.MIN_CLASS_ROWS == 5
