"""The containers of boostfocal's model files: the focal state inside each engine's own file.

* **XGBoost** (JSON or UBJ): the booster attribute ``"boostfocal"``.
* **LightGBM** (model text): one line ``boostfocal:{...}`` just before the closing
  ``pandas_categorical:`` line, which LightGBM's parser ignores.

:mod:`boostfocal.persistence` decides what the state holds; this module writes it, finds it, and
names a damaged or foreign file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import _engine_xgboost as xgbe
from ._codec import decode
from ._model import TrainedModel

#: Version of the focal state's layout; :func:`boostfocal.load_model` refuses a newer one.  1: the
#: initial score beside the trees; 2: ``init_score_in_model`` says whether the booster carries it;
#: 3: ``init_score_where`` says where, and the booster records it itself (:mod:`boostfocal._model`).
FORMAT_VERSION = 3
FORMAT = "boostfocal-model"
XGB_ATTR = "boostfocal"
LGB_PREFIX = "boostfocal:"
_LGB_PANDAS = "\npandas_categorical:"


def dumps(state: dict[str, Any]) -> str:
    return json.dumps(state, allow_nan=False, separators=(",", ":"))  # ASCII, one line


def write_lightgbm(booster: Any, path: Path, state: dict[str, Any]) -> None:
    text = booster.model_to_string(num_iteration=-1)
    i = text.rfind(_LGB_PANDAS)
    if i < 0:
        raise RuntimeError("LightGBM's model text has no pandas_categorical line; this LightGBM is not supported")
    text = text[: i + 1] + LGB_PREFIX + dumps(state) + "\n" + text[i + 1 :]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_xgboost(estimator: Any, booster: Any, path: Path, state: dict[str, Any]) -> None:
    previous = booster.attr(XGB_ATTR)
    booster.set_attr(**{XGB_ATTR: dumps(state)})
    try:
        if estimator is not None:
            xgbe.save_estimator(estimator, booster, path)  # adds XGBoost's own scikit-learn metadata
        else:
            booster.save_model(path)
    finally:
        booster.set_attr(**{XGB_ATTR: previous})


# --- loading -------------------------------------------------------------------------------------


def field(path: Any, field: str, problem: str) -> ValueError:
    return ValueError(f"{name_of(path)}: the boostfocal state's field {field!r} {problem}")


def engine_of_file(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(64)
    if head.startswith(b"tree\n") or head.startswith(b"tree\r\n"):
        return "lightgbm"
    if head.lstrip()[:1] == b"{":
        return "xgboost"
    raise ValueError(f"{str(path)!r} is neither a LightGBM model text nor an XGBoost JSON/UBJ model")


def parse_state(raw: str, path: Any) -> dict[str, Any]:
    try:
        state = json.loads(raw)
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(
            f"{name_of(path)}: the boostfocal state in this model file is unreadable (damaged or truncated?)"
        )
    try:
        version = int(state.get("version", 0))
    except (TypeError, ValueError):
        raise field(path, "version", f"is {state.get('version')!r}, not an integer") from None
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{name_of(path)} was written in boostfocal model format {state['version']}; this boostfocal reads "
            f"format {FORMAT_VERSION} and older: upgrade boostfocal"
        )
    return state


def name_of(path: Any) -> str:
    return repr(str(path)) if isinstance(path, (str, os.PathLike)) else "the model"


class NoState(ValueError):
    pass


def no_state(path: Any, engine: str, load_hint: str) -> ValueError:
    return NoState(
        f"{name_of(path)} is a {engine} model file without boostfocal state (saved by {engine} itself?): "
        f"load it with {load_hint}, or save the booster with "
        "bf.save_model(booster, path, loss=..., init_score=...) to make a file bf.load_model reads"
    )


def read_lightgbm(path: Path) -> tuple[Any, dict[str, Any]]:
    try:
        import lightgbm as lgb
    except ImportError as exc:
        raise ImportError(f"{name_of(path)} is a LightGBM model: install lightgbm to load it") from exc
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    complete = "\nend of trees" in text and text.rstrip("\r\n").rsplit("\n", 1)[-1].startswith("pandas_categorical:")
    start = text.rfind("\n" + LGB_PREFIX) + 1
    if start == 0:
        if not complete:
            raise ValueError(
                f"{name_of(path)} is a damaged or truncated LightGBM model file (it does not end as LightGBM writes)"
            )
        raise no_state(path, "LightGBM", "lgb.Booster(model_file=...)")
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    state = parse_state(text[start + len(LGB_PREFIX) : end], path)
    if not complete:
        raise ValueError(
            f"{name_of(path)} is a damaged or truncated LightGBM model file (it does not end as LightGBM writes)"
        )
    try:
        booster = lgb.Booster(model_str=text[:start] + text[end + 1 :])
    except lgb.basic.LightGBMError as exc:
        raise ValueError(f"{name_of(path)} is a damaged LightGBM model file: {str(exc).splitlines()[0]}") from None
    try:
        best = int(state.get("best_iteration", -1))
    except (TypeError, ValueError):
        raise field(path, "best_iteration", f"is {state.get('best_iteration')!r}, not an integer") from None
    TrainedModel.restore_best(booster, best, decode(state.get("best_score", {})))
    return booster, state


def _check_complete_xgboost(source: Any) -> None:
    """Refuse a truncated XGBoost model before XGBoost parses it: XGBoost 2.1's UBJSON reader
    crashes the process (segmentation fault) on some truncated files instead of raising.

    JSON must parse; UBJSON (binary) must end with the ``}`` that closes its top-level object.
    """
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        with open(source, "rb") as f:
            data = f.read()
    if data[:2] == b'{"':
        try:
            json.loads(data)
            return
        except ValueError:
            pass
    elif data[:1] == b"{" and data.endswith(b"}"):
        return
    raise ValueError(
        f"{name_of(source)} is a damaged or truncated XGBoost model file (it does not end as XGBoost writes)"
    )


def read_xgboost(source: Any) -> tuple[Any, dict[str, Any]]:
    try:
        import xgboost as xgb
    except ImportError as exc:
        raise ImportError(f"{name_of(source)} is an XGBoost model: install xgboost to load it") from exc
    _check_complete_xgboost(source)
    booster = xgb.Booster()
    try:
        booster.load_model(source)
    except xgb.core.XGBoostError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(f"{name_of(source)} is a damaged or truncated XGBoost model file ({first[:200]})") from None
    raw = booster.attr(XGB_ATTR)
    if raw is None:
        raise no_state(source, "XGBoost", "xgb.Booster(model_file=...) or xgb.XGBClassifier().load_model(...)")
    state = parse_state(raw, source)
    booster.set_attr(**{XGB_ATTR: None, "scikit_learn": None})
    try:
        xgbe.read(booster)
    except ValueError:
        raise field(source, xgbe.CARRIED_ATTR, "(a booster attribute) is unreadable") from None
    return booster, state
