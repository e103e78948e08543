"""The ONNX graph builder and the probability part of boostfocal's graphs (standard operators only)."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike

from ..losses import BinaryOutput, IndependentOutputs, Loss, SoftmaxOutput

#: Default-domain opset of the graphs (onnxruntime >= 1.13 runs it).
OPSET = 17
#: ONNX-ML opset (``TreeEnsembleRegressor`` as onnxmltools writes it).
ML_OPSET = 3
#: IR version written into the model (the lowest that opset 17 allows, for older runtimes).
IR_VERSION = 8
#: Below this ``log(1 - p)``, ``p log p / (1 - p)`` is ``-1`` to float32 precision (``1 - p < 2e-9``).
_RATIO_CUTOFF = -20.0
#: Added to a masked-out entry before a log-sum-exp: its exponential is 0.
_MASK = -1e30


def require_onnx() -> tuple[Any, Any]:
    """The ``onnx`` module and ``onnx.helper``, or ImportError naming the extra to install."""
    try:
        import onnx
        from onnx import helper
    except ImportError as exc:  # pragma: no cover - the onnx extra is installed in the tests
        raise ImportError(
            "bf.to_onnx needs onnx and onnxmltools: pip install 'boostfocal[onnx]' (onnxruntime to score)"
        ) from exc
    return onnx, helper


def check_method(method: str) -> str:
    """``method`` must be ``"posterior"`` or ``"link"``."""
    if method not in ("posterior", "link"):
        raise ValueError(f"method must be 'posterior' or 'link', got {method!r}")
    return method


# --- a small graph builder -----------------------------------------------------------------------


class Graph:
    """Nodes and float32 constants of an ONNX graph under construction, with unique names."""

    def __init__(self) -> None:
        _, self.helper = require_onnx()
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.counter = 0

    def _name(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def const(self, value: ArrayLike, dtype: Any = np.float32) -> str:
        """A constant tensor (float32 unless ``dtype``) and its name."""
        from onnx import numpy_helper

        arr = np.asarray(value, dtype=dtype)
        name = self._name("c")
        self.initializers.append(numpy_helper.from_array(arr, name))
        return name

    @overload
    def op(self, op_type: str, *inputs: str, domain: str = "", outputs: Literal[1] = 1, **attrs: Any) -> str: ...

    @overload
    def op(self, op_type: str, *inputs: str, domain: str = "", outputs: int, **attrs: Any) -> list[str]: ...

    def op(self, op_type: str, *inputs: str, domain: str = "", outputs: int = 1, **attrs: Any) -> str | list[str]:
        """Add a node; returns its output name (or a list of ``outputs`` names)."""
        names = [self._name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(
            self.helper.make_node(op_type, list(inputs), names, name=self._name(op_type), domain=domain, **attrs)
        )
        return names[0] if outputs == 1 else names

    def rename(self, source: str, target: str) -> None:
        """Expose ``source`` under the name ``target`` (an ``Identity``)."""
        self.nodes.append(self.helper.make_node("Identity", [source], [target], name=self._name("Identity")))

    def model(self, inputs: list[Any], outputs: list[Any], doc: str) -> Any:
        onnx, helper = require_onnx()
        graph = helper.make_graph(self.nodes, "boostfocal", inputs, outputs, initializer=self.initializers)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)],
            producer_name="boostfocal",
            doc_string=doc,
        )
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model)
        return model


# --- the posterior (the one ONNX expression of losses._posterior_scores) -------------------------


def _log1p(g: Graph, x: str) -> str:
    """``log(1 + x)`` for ``x >= 0``, accurate in float32 also where ``1 + x`` rounds (ONNX has no
    ``Log1p``): ``log(u) * x / (u - 1)`` with ``u = 1 + x``, and ``x`` itself where ``u == 1``
    (Goldberg, "What every computer scientist should know about floating-point arithmetic", 1991)."""
    u = g.op("Add", x, g.const(1.0))
    d = g.op("Sub", u, g.const(1.0))
    ratio = g.op("Div", x, d)  # inf or NaN where d == 0; not selected there
    return g.op("Where", g.op("Equal", d, g.const(0.0)), x, g.op("Mul", g.op("Log", u), ratio))


def _log_focal_slope(g: Graph, log_p: str, log_om: str, gamma: float) -> str:
    """``log |l'(p)|`` from ``log p`` and ``log(1 - p)``: the graph form of
    :func:`boostfocal.losses._kernels._log_focal_slope`,

        log |l'(p)| = gamma log(1-p) - log p + log(1 - gamma * p log p / (1-p)).

    ``p log p / (1 - p)`` (in ``[-1, 0]``) is ``exp(log p - log(1-p)) * log p``, and ``-1`` where
    ``log(1-p) < -20`` (its value there to float32 precision; no overflow)."""
    neg_log_p = g.op("Neg", log_p)
    if gamma == 0.0:
        return neg_log_p
    ratio = g.op("Mul", g.op("Exp", g.op("Sub", log_p, log_om)), log_p)
    ratio = g.op("Where", g.op("Less", log_om, g.const(_RATIO_CUTOFF)), g.const(-1.0), ratio)
    focal = g.op("Log", g.op("Add", g.const(1.0), g.op("Mul", ratio, g.const(-gamma))))
    return g.op("Add", g.op("Add", neg_log_p, focal), g.op("Mul", log_om, g.const(gamma)))


def _binary_scores(g: Graph, margin: str, log_a0: Any, log_a1: Any, gamma: float, link: bool) -> tuple[str, str]:
    """The two class scores ``(s_0, s_1)`` of binary margins ``z`` (any shape; ``log_a0``,
    ``log_a1``: the log class weights, scalars or one per column), as in
    :func:`boostfocal.losses._kernels._posterior_scores`: ``s_k = -log alpha_k - log |l'(p_k)|`` with
    ``p_1 = sigma(z)``, ``p_0 = 1 - p_1`` and ``log sigma(+-z) = min(+-z, 0) - log1p(exp(-|z|))``
    (no ``log(sigma(z))``).  ``gamma = 0``: ``(-log alpha_0, z - log alpha_1)``, the link shifted
    by the class weights; ``link``: ``(0, z)``."""
    if link or gamma == 0.0:
        zero = g.op("Mul", margin, g.const(0.0))
        if link:
            return zero, margin
        return g.op("Sub", zero, g.const(log_a0)), g.op("Sub", margin, g.const(log_a1))
    log1p_e = _log1p(g, g.op("Exp", g.op("Neg", g.op("Abs", margin))))
    log_p = g.op("Sub", g.op("Min", margin, g.const(0.0)), log1p_e)  # log sigma(z)
    log_q = g.op("Sub", g.op("Min", g.op("Neg", margin), g.const(0.0)), log1p_e)  # log sigma(-z)
    s1 = g.op("Sub", g.const(np.negative(log_a1)), _log_focal_slope(g, log_p, log_q, gamma))
    s0 = g.op("Sub", g.const(np.negative(log_a0)), _log_focal_slope(g, log_q, log_p, gamma))
    return s0, s1


def _softmax_scores(g: Graph, margin: str, log_alpha: Any, gamma: float, link: bool) -> str:
    """The class scores ``(n, K)`` of softmax margins: ``s_k = -log alpha_k - log |l'(p_k)|`` with
    ``log p_k = (z_k - max z) - log1p(rest)`` (``rest``: the sum of ``exp(z_j - max z)`` over the
    classes other than the arg-max) and ``log(1 - p_k)`` a max-shifted log-sum-exp over the
    classes other than ``k``, so that a confident row keeps ``log(1 - p)`` finite and exact."""
    k = len(log_alpha)
    if link:
        return margin
    if gamma == 0.0:
        return g.op("Sub", margin, g.const([log_alpha]))
    shifted = g.op("Sub", margin, g.op("ReduceMax", margin, axes=[1], keepdims=1))  # max 0
    top = g.op("Equal", g.const([np.arange(k)], np.int64), g.op("ArgMax", margin, axis=1, keepdims=1))
    others = g.op("Where", top, g.const(0.0), g.op("Exp", shifted))
    log_sum = _log1p(g, g.op("ReduceSum", others, g.const([1], np.int64), keepdims=1))
    log_p = g.op("Sub", shifted, log_sum)
    # (n, K, K): row k holds the shifted margins with class k masked out
    masked = g.op("Add", g.op("Unsqueeze", shifted, g.const([1], np.int64)), g.const(np.eye(k) * _MASK))
    m = g.op("ReduceMax", masked, axes=[2], keepdims=1)
    total = g.op("ReduceSum", g.op("Exp", g.op("Sub", masked, m)), g.const([2], np.int64), keepdims=1)
    lse = g.op("Squeeze", g.op("Add", m, g.op("Log", total)), g.const([2], np.int64))
    log_om = g.op("Sub", lse, log_sum)  # log(1 - p_k)
    return g.op("Sub", g.const([np.negative(log_alpha)]), _log_focal_slope(g, log_p, log_om, gamma))


def _binary_probabilities(g: Graph, margin: str, log_alpha: Any, gamma: float, link: bool) -> tuple[str, str]:
    """:class:`~boostfocal.losses.BinaryOutput`: scores ``(s_0, s_1)`` and their softmax, ``(n, 2)``."""
    s0, s1 = _binary_scores(g, margin, log_alpha[0], log_alpha[1], gamma, link)
    scores = g.op("Concat", s0, s1, axis=1)
    return scores, g.op("Softmax", scores, axis=1)


def _softmax_probabilities(g: Graph, margin: str, log_alpha: Any, gamma: float, link: bool) -> tuple[str, str]:
    """:class:`~boostfocal.losses.SoftmaxOutput`: the class scores and their softmax, ``(n, K)``."""
    scores = _softmax_scores(g, margin, list(log_alpha), gamma, link)
    return scores, g.op("Softmax", scores, axis=1)


def _independent_probabilities(g: Graph, margin: str, log_alpha: Any, gamma: float, link: bool) -> tuple[str, str]:
    """:class:`~boostfocal.losses.IndependentOutputs`: each label's log-odds ``s_1 - s_0`` and
    ``P(y_l = 1 | x) = sigma(s_1 - s_0)``, ``(n, L)``."""
    s0, s1 = _binary_scores(g, margin, log_alpha[:, 0], log_alpha[:, 1], gamma, link)
    logit = g.op("Sub", s1, s0)
    return logit, g.op("Sigmoid", logit)


#: The probability part of the graph for each kind of output (``loss.kind``).
_PROBABILITIES = {
    BinaryOutput: _binary_probabilities,
    SoftmaxOutput: _softmax_probabilities,
    IndependentOutputs: _independent_probabilities,
}


def probability_nodes(g: Graph, margin: str, loss: Loss, method: str) -> tuple[str, str]:
    """Decision scores and probabilities from the full raw margin (``(n, 1)`` binary, ``(n, K)``
    softmax, ``(n, L)`` independent labels), in float32 operators, for the loss's kind of output.

    ``method="posterior"``: the recovered posterior of the loss's ``posterior`` (Charoenphakdee
    et al., 2021), the expression of :func:`boostfocal.losses._kernels._posterior_scores`:

        score_k = -log alpha_k - log |l'(p_k)|,   |l'(p)| = (1-p)^gamma / p - gamma (1-p)^(gamma-1) log p

    (see :func:`_log_focal_slope`).  Binary: ``(n, 2)`` probabilities ``softmax(s_0, s_1)`` and the
    scores; softmax: ``softmax(score)`` ``(n, K)`` and the scores; independent labels:
    ``P(y_l = 1 | x) = sigma(s_1 - s_0)`` ``(n, L)`` and the log-odds ``s_1 - s_0``.
    ``gamma = 0`` reduces to the plain link shifted by the class weights.  ``method="link"``:
    ``sigma(z)`` / ``softmax(z)``.  Finite for every finite margin; tested against
    ``loss.posterior`` for ``|z| <= 50``, ``gamma <= 5``.
    """
    build = _PROBABILITIES[type(loss.kind)]
    # log_alpha: (2,) binary, (K,) softmax, (L, 2) independent labels
    return build(g, margin, loss._log_alpha(), loss.gamma, method == "link")
