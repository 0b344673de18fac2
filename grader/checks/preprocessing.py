"""Checks for trainlab/preprocessing.py.

Data sets are correlated Gaussian clouds with an offset; the test set comes from the same cloud
shifted by TEST_SHIFT, so a transform that uses the test set's own statistics instead of the
training statistics gives visibly different numbers. The fit functions are compared with the
reference on such data; the apply functions get statistics made by the grader (orthonormal
components, positive eigenvalues), so each one is graded on its own.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case
from ..core.compare import assert_true
from ..core.errors import CheckFailure
from ..core.registry import check
from ..core.topic import Topic
from .common import formula_hint, same_values

T = Topic("preprocessing")
TEST_SHIFT = 2.0  # the test cloud is moved by +-TEST_SHIFT per feature

# Data whose PCA is well posed, so that any correct way of computing it (eigh of the covariance,
# SVD of the centred data, np.cov(..., bias=True)) agrees with the reference to ~1e-14:
MIN_GAP = 1e-2  # consecutive eigenvalues differ by at least MIN_GAP * largest (eigenvectors are stable)
MIN_EIG = 1e-3  # the smallest eigenvalue is at least MIN_EIG * largest (no near-null direction)
SIGN_MARGIN = 1e-3  # the largest |entry| of each eigenvector beats the runner-up by this (sign rule is stable)

# Absolute tolerances of the property checks, relative to the data's scale. Everything compared is
# a float64 computation on at most 9 features, where rounding stays below 1e-13; the bands are wide
# enough for any correct formula and far narrower than any mistake.
PROPERTY_TOL = 1e-8
# With fit_standardize's default eps = 1e-8, standardized data has std sqrt(var / (var + 1e-8)),
# which differs from 1 by <= 1e-8 / (2 var) < 1e-5 for var >= 1e-3 (every feature here has more).
UNIT_STD_TOL = 1e-5
# Whitening with this eps shrinks variance lambda to lambda / (lambda + eps): a deviation from 1 of
# <= eps / lambda_min < 1e-7 for the data used (lambda_min >= MIN_EIG * lambda_max > 1e-3).
WHITEN_EPS = 1e-10
WHITEN_TOL = 1e-6


# ---------------------------------------------------------------- data

def well_posed(X) -> bool:
    """The covariance of X has eigenvalues well apart and away from 0, and each eigenvector a clear
    largest entry. Told from N times the eigenvalues and from the eigenvectors' absolute entries,
    so that no output of fit_pca is computed here."""
    N, D = X.shape
    Xc = X - X.mean(axis=0)
    spread = np.linalg.svd(Xc, compute_uv=False) ** 2  # (D,) N times the eigenvalues, largest first
    if spread[-1] < MIN_EIG * spread[0] or (D > 1 and np.min(-np.diff(spread)) < MIN_GAP * spread[0]):
        return False
    top = np.sort(np.abs(np.linalg.eigh(Xc.T @ Xc)[1]), axis=0)  # (D, D) |entries| of each eigenvector
    return D == 1 or bool(np.min(top[-1] - top[-2]) >= SIGN_MARGIN)


def correlated_data(rng, N: int, D: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """X_train (N, D) and X_test (M, D) from one correlated cloud; the test cloud is shifted."""
    while True:
        scales = rng.uniform(0.3, 3.0, D)
        rotation, _ = np.linalg.qr(rng.standard_normal((D, D)))
        mixing = scales[:, None] * rotation.T  # (D, D): covariance rotation diag(scales^2) rotation^T
        offset = rng.uniform(-3.0, 3.0, D)
        X_train = rng.standard_normal((N, D)) @ mixing + offset
        if well_posed(X_train):
            break
    shift = TEST_SHIFT * rng.choice([-1.0, 1.0], D)
    return X_train, rng.standard_normal((M, D)) @ mixing + offset + shift


def split_shape(rng, random_shapes: bool) -> tuple[int, int, int]:
    """(N, D, M): train rows, features, test rows; N >= 3 D so the covariance has full rank."""
    if not random_shapes:
        return 20, 5, 8
    D = int(rng.integers(6, 13))  # from 6 features on, no orthogonal D x D matrix here is symmetric
    return D * int(rng.integers(3, 7)), D, int(rng.integers(2, 10))


def pick_k(rng, random_shapes: bool, D: int) -> int:
    """At least 2 components, so that per-component conventions (signs, order) always show."""
    return min(3, D) if not random_shapes else int(rng.integers(2, D + 1))


def make_split(rng, random_shapes):
    N, D, M = split_shape(rng, random_shapes)
    X_train, X_test = correlated_data(rng, N, D, M)
    return {"X_train": X_train, "X_test": X_test}


def make_split_k(rng, random_shapes):
    inputs = make_split(rng, random_shapes)
    inputs["k"] = pick_k(rng, random_shapes, inputs["X_train"].shape[1])
    return inputs


def pca_stats(rng, D: int, k: int, eps: float = 1e-5) -> dict:
    """Statistics as fit_whitening returns them, made up by the grader: orthonormal components."""
    components, _ = np.linalg.qr(rng.standard_normal((D, k)))
    components *= np.sign(components[np.argmax(np.abs(components), axis=0), np.arange(k)])
    eigenvalues = np.sort(rng.uniform(0.1, 5.0, D))[::-1]
    return {"mean": rng.uniform(-3.0, 3.0, D), "components": components, "eigenvalues": eigenvalues[:k],
            "explained_variance_ratio": eigenvalues[:k] / eigenvalues.sum(),
            "scale": 1.0 / np.sqrt(eigenvalues[:k] + eps)}


STAT_KEYS = ("mean", "std", "components", "eigenvalues", "explained_variance_ratio", "scale")


def stats_from(inputs) -> dict:
    return {key: inputs[key] for key in STAT_KEYS if key in inputs}


def get_stats(fn: str, stats, keys) -> dict:
    """The student's stats dict, checked for the documented keys (so a failure reads well)."""
    assert_true(isinstance(stats, dict), f"{fn} returned {type(stats).__name__}; expected a dict of statistics.")
    missing = [k for k in keys if k not in stats]
    assert_true(not missing, f"{fn} returned a dict without the key(s) {', '.join(map(repr, missing))}.")
    return {k: stats[k] for k in keys}


def assert_near(what: str, got, expected, atol: float, hint: str | None = None) -> None:
    """Absolute comparison for values that may cross zero (covariances, reconstructions)."""
    expected = np.asarray(expected, dtype=np.float64)
    assert_true(isinstance(got, np.ndarray) and got.shape == expected.shape,
                f"{what}: expected an array of shape {expected.shape}, got "
                f"{got.shape if isinstance(got, np.ndarray) else type(got).__name__}.", hint)
    assert_true(bool(np.all(np.isfinite(got))), f"{what}: contains NaN or inf.", hint)
    err = np.abs(got - expected)
    if err.size and float(err.max()) > atol:
        where = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
        raise CheckFailure(f"{what}: off by {float(err.max()):.3g} (allowed {atol:g}) at index {where}: "
                           f"expected {float(expected[where]):.6g}, got {float(got[where]):.6g}.", hint)


def covariance(Z) -> np.ndarray:
    Zc = Z - Z.mean(axis=0)
    return Zc.T @ Zc / Z.shape[0]


# ---------------------------------------------------------------- reference-output cases

def fit_case(fn: str, name: str, keys, make, extra=lambda inputs: ()):
    def run(call, inputs):
        return get_stats(fn, call(f"{T}.{fn}", inputs["X_train"], *extra(inputs)), keys)
    add_case(Case(T, fn, name, make, run, hint=FIT_HINTS.get(fn)))


# ---------------------------------------------------------------- known mistakes, for the hints
# Each is written by the grader as a formula of a case's inputs (X_train, eps, k; or X and the
# given stats), so the hint recognises the mistake whatever the student's code looks like.

def _pca_shape_hint(inputs, got, expected):
    C, N = got.get("components"), len(inputs["X_train"])
    if isinstance(C, np.ndarray) and C.ndim == 2 and C.shape[0] == N != inputs["X_train"].shape[1]:
        return COVARIANCE_SHAPE_HINT
    return None


COVARIANCE_SHAPE_HINT = ("the covariance is (D, D), over the features: Xc.T @ Xc / N or np.cov(X, rowvar=False, "
                         "bias=True); np.cov(X) treats the rows (examples) as the variables.")
UNCENTRED_HINT = "subtract the mean before the covariance: cov = (X - mean)^T (X - mean) / N."
FIT_HINTS = {
    "fit_mean": formula_hint("mean", [
        ("take the mean over axis 0 (over the examples): one value per feature, shape (D,).",
         lambda i: i["X_train"].mean(axis=1))]),
    "fit_standardize": formula_hint("std", [
        ("use the eps argument: std = sqrt(var + eps) with the eps you are given (default 1e-8).",
         lambda i: np.sqrt(i["X_train"].var(axis=0) + 1e-8) if "eps" in i else None),
        ("add eps inside the square root: std = sqrt(var + eps).", lambda i: i["X_train"].std(axis=0)),
        ("use the biased variance: divide by N, not N - 1 (np.var's default ddof=0).",
         lambda i: np.sqrt(i["X_train"].var(axis=0, ddof=1) + i.get("eps", 1e-8)))]),
    # Mistakes whose formula needs a correct eigen-decomposition are derived values
    # (grader/core/derived.py), computed on the instructor side (grader/hidden/preprocessing.py).
    "fit_pca": formula_hint("eigenvalues", [
        ("the covariance divides by N, not N - 1.", "covariance over N - 1"),
        (UNCENTRED_HINT, "uncentred covariance")], _pca_shape_hint, "fit_pca"),
    "fit_whitening": formula_hint("scale", [
        ("the scale divides by the standard deviation: scale = 1 / sqrt(eigenvalue + eps), not "
         "1 / (eigenvalue + eps).", "scale without square root")], _pca_shape_hint, "fit_whitening"),
}


def make_eps(eps):
    def make(rng, random_shapes):
        return {**make_split(rng, random_shapes), "eps": eps}
    return make


def make_eps_k(eps):
    def make(rng, random_shapes):
        return {**make_split_k(rng, random_shapes), "eps": eps}
    return make


def make_low_variance(rng, random_shapes):
    """A split whose first feature has variance ~1e-8 x the others': there the default eps = 1e-8
    inside the square root changes the std by tens of percent, so leaving it out always shows."""
    inputs = make_split(rng, random_shapes)
    X = inputs["X_train"]
    X[:, 0] = X[:, 0].mean() + 1e-4 * (X[:, 0] - X[:, 0].mean()) / X[:, 0].std()
    return inputs


PCA_KEYS = ("mean", "components", "eigenvalues", "explained_variance_ratio")

fit_case("fit_mean", "train set", ("mean",), make_split)
fit_case("fit_standardize", "train set, default eps", ("mean", "std"), make_low_variance)
fit_case("fit_standardize", "train set, eps = 0.1", ("mean", "std"), make_eps(0.1), lambda i: (i["eps"],))
fit_case("fit_pca", "k components", PCA_KEYS, make_split_k, lambda i: (i["k"],))
fit_case("fit_pca", "all components (k = None)", PCA_KEYS, make_split)
fit_case("fit_whitening", "default eps, all components", PCA_KEYS + ("scale",), make_split)
fit_case("fit_whitening", "eps = 0.05, k components", PCA_KEYS + ("scale",), make_eps_k(0.05),
         lambda i: (i["eps"], i["k"]))


def make_apply(full: bool, given_z: bool = False):
    """Inputs of an apply function: data (or PCA coordinates Z) and grader-made statistics."""
    def make(rng, random_shapes):
        N, D, _ = split_shape(rng, random_shapes)
        k = D if full else pick_k(rng, random_shapes, D)
        stats = pca_stats(rng, D, k)
        if given_z:
            return {"Z": rng.standard_normal((N, k)) * np.sqrt(stats["eigenvalues"]), **stats}
        std = rng.uniform(0.2, 3.0, D)
        return {"X": rng.standard_normal((N, D)) * 2.0 + rng.uniform(-4.0, 4.0, D), "std": std, **stats}
    return make


def no_rotation_hint(inputs, got, expected):
    """ZCA's output without the rotation back (the PCA-whitened coordinates Y), told by undoing it:
    with all components Y / scale @ components^T + mean is X again. So pca_whiten's output is never
    computed here."""
    Y, C = np.asarray(got.get("out"), dtype=float), inputs["components"]
    if Y.shape != inputs["X"].shape or C.shape[0] != C.shape[1]:
        return None
    return NO_ROTATION_HINT if same_values(Y / inputs["scale"] @ C.T + inputs["mean"], inputs["X"]) else None


NO_ROTATION_HINT = "rotate back: ZCA is the PCA-whitened coordinates times components^T."
APPLY_MISTAKES = {
    "subtract_mean": [
        ("subtract the feature means in stats['mean'], not each example's own mean.",
         lambda i: i["X"] - i["X"].mean(axis=1, keepdims=True))],
    "standardize": [
        ("divide by stats['std'], not its square.", lambda i: (i["X"] - i["mean"]) / i["std"] ** 2)],
    "pca_project": [
        ("subtract the mean before projecting: (X - stats['mean']) @ components.", lambda i: i["X"] @ i["components"])],
    "pca_whiten": [
        ("divide each PCA coordinate by its standard deviation sqrt(eigenvalue + eps) (multiply by the "
         "scale), not by the eigenvalue and not by 1 / scale.", lambda i: (i["X"] - i["mean"]) @ i["components"] / i["scale"])],
    "zca_whiten": [
        ("scale the PCA coordinates before rotating back: ((X - mean) @ components * scale) @ components.T.",
         lambda i: (i["X"] - i["mean"]) @ i["components"] @ i["components"].T * i["scale"])],
}


# An error the student's function raised, by words of its message (grader/core/engine.py).
ERROR_HINTS = {
    "pca_project": [("matmul", "the components are the COLUMNS of stats['components'], shape (D, k): project "
                               "with (X - mean) @ components.")],
}
T.error_hints = ERROR_HINTS


def own_statistics_hint(inputs, got, expected):
    X = inputs.get("X")
    if X is None or "out" not in got:
        return None
    own = [X - X.mean(axis=0), (X - X.mean(axis=0)) / X.std(axis=0)]
    return OWN_MEAN_HINT if any(same_values(got["out"], o) for o in own) else None


def apply_fallback(fn: str):
    """The hints told from the output itself: a missing rotation back (zca_whiten), own statistics."""
    def hint(inputs, got, expected):
        return (no_rotation_hint(inputs, got, expected) if fn == "zca_whiten" else None) \
            or own_statistics_hint(inputs, got, expected)
    return hint


def apply_case(fn: str, name: str, make, data="X"):
    add_case(Case(T, fn, name, make,
                  lambda call, inputs: {"out": call(f"{T}.{fn}", inputs[data], stats_from(inputs))},
                  hint=formula_hint("out", APPLY_MISTAKES.get(fn, ()), apply_fallback(fn))))


apply_case("subtract_mean", "given train mean", make_apply(False))
apply_case("standardize", "given train mean and std", make_apply(False))
apply_case("pca_project", "given components", make_apply(False))
apply_case("pca_reconstruct", "given components", make_apply(False, given_z=True), data="Z")
apply_case("pca_whiten", "given components and scale", make_apply(False))
apply_case("zca_whiten", "given all components and scale", make_apply(True))


# ---------------------------------------------------------------- property checks
# Each takes (ctx, random_shapes): the public check uses the fixed shapes, its hidden twin in
# grader/hidden/preprocessing.py random ones.

OWN_MEAN_HINT = ("the test set must be transformed with the TRAINING statistics in stats; "
                 "do not compute a mean or std from the X you are given.")


def train_stats_on_test_mean(ctx, random_shapes):
    X_train, X_test = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    stats = get_stats("fit_mean", ctx.other(f"{T}.fit_mean", X_train), ("mean",))
    out = ctx.call(f"{T}.subtract_mean", X_test, stats)
    hint = OWN_MEAN_HINT if _close(out, X_test - X_test.mean(axis=0)) else None
    assert_near("subtract_mean(X_test, fit_mean(X_train))", out, X_test - X_train.mean(axis=0),
                PROPERTY_TOL * np.abs(X_test).max(), hint)


def train_stats_on_test_standardize(ctx, random_shapes):
    X_train, X_test = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    stats = get_stats("fit_standardize", ctx.other(f"{T}.fit_standardize", X_train), ("mean", "std"))
    out = ctx.call(f"{T}.standardize", X_test, stats)
    own = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    # expected ignores eps = 1e-8: a relative change <= 1e-8 / (2 var) < UNIT_STD_TOL
    assert_near("standardize(X_test, fit_standardize(X_train))", out, expected,
                UNIT_STD_TOL * np.abs(expected).max(), OWN_MEAN_HINT if _close(out, own) else None)


def _close(a, b) -> bool:
    return isinstance(a, np.ndarray) and a.shape == b.shape and bool(np.allclose(a, b, atol=1e-6))


def standardized_train_is_unit(ctx, random_shapes):
    X_train, _ = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    stats = get_stats("fit_standardize", ctx.other(f"{T}.fit_standardize", X_train), ("mean", "std"))
    out = ctx.call(f"{T}.standardize", X_train, stats)
    D = X_train.shape[1]
    assert_true(isinstance(out, np.ndarray) and out.shape == X_train.shape,
                f"standardize returned {getattr(out, 'shape', type(out).__name__)}; expected shape {X_train.shape}.")
    assert_near("mean over the examples of standardize(X_train, ...)", out.mean(axis=0), np.zeros(D), PROPERTY_TOL)
    assert_near("std over the examples of standardize(X_train, ...)", out.std(axis=0), np.ones(D), UNIT_STD_TOL,
                "divide by stats['std'], not its square."
                if same_values(out, (X_train - stats["mean"]) / stats["std"] ** 2) else None)


def constant_feature_is_finite(ctx, random_shapes):
    X_train, _ = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    j = int(ctx.rng.integers(X_train.shape[1]))
    X_train[:, j] = 3.5  # a feature that never varies; its mean is exactly 3.5, so X - mean is exactly 0
    stats = get_stats("fit_standardize", ctx.other(f"{T}.fit_standardize", X_train), ("mean", "std"))
    out = ctx.call(f"{T}.standardize", X_train, stats)
    hint = "add eps inside the square root: std = sqrt(var + eps), so a constant feature never divides by 0."
    assert_true(isinstance(out, np.ndarray) and bool(np.all(np.isfinite(out))),
                f"standardize returned NaN or inf when feature {j} is constant.", hint)
    assert_near(f"standardize output for the constant feature {j}", out[:, j], np.zeros(len(out)), PROPERTY_TOL, hint)


def fit_pca_for(ctx, random_shapes, k_all: bool, fit=None):
    """Data and fit_pca's stats for it: the student's fit, or `fit` (ctx.other) for the checks of
    the functions that only use the stats."""
    X_train, _ = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    D = X_train.shape[1]
    k = D if k_all else pick_k(ctx.rng, random_shapes, D)
    stats = get_stats("fit_pca", (fit or ctx.call)(f"{T}.fit_pca", X_train, k), PCA_KEYS)
    for key, shape in (("components", (D, k)), ("eigenvalues", (k,))):
        got = stats[key]
        assert_true(isinstance(got, np.ndarray) and got.shape == shape,
                    f"fit_pca(X of shape {X_train.shape}, k={k})['{key}'] has shape "
                    f"{getattr(got, 'shape', type(got).__name__)}; expected {shape}.",
                    COVARIANCE_SHAPE_HINT if isinstance(got, np.ndarray) and got.shape[:1] == (len(X_train),)
                    and key == "components" else None)
    return X_train, stats


def pca_sorted_descending(ctx, random_shapes):
    _, stats = fit_pca_for(ctx, random_shapes, k_all=True)
    lam = stats["eigenvalues"]
    assert_true(bool(np.all(np.diff(lam) <= 0)),
                f"fit_pca eigenvalues are not sorted from largest to smallest: {np.array2string(lam, precision=4)}.",
                "np.linalg.eigh returns eigenvalues in ascending order; reverse them (and the eigenvector columns).")


def pca_orthonormal(ctx, random_shapes):
    _, stats = fit_pca_for(ctx, random_shapes, k_all=False)
    C = stats["components"]
    assert_near("components^T @ components of fit_pca", C.T @ C, np.eye(C.shape[1]), PROPERTY_TOL,
                "the components are unit eigenvectors of the covariance, stored as columns.")


def pca_sign_convention(ctx, random_shapes):
    X_train, stats = fit_pca_for(ctx, random_shapes, k_all=False)
    C = stats["components"]
    # the convention is about eigenvectors; other vectors (rows of the eigenvector matrix) have
    # signs of their own, right or wrong by chance, so they fail here at every draw
    along = covariance(X_train) @ C
    off = along - C * np.sum(C * along, axis=0)
    raw = X_train.T @ X_train / len(X_train) @ C
    uncentred = np.allclose(raw - C * np.sum(C * raw, axis=0), 0, atol=PROPERTY_TOL * np.abs(raw).max())
    assert_near("the part of covariance @ components not along the components", off, np.zeros_like(off),
                PROPERTY_TOL * np.abs(along).max(), UNCENTRED_HINT if uncentred else
                "the components are the eigenvectors of the covariance, stored as COLUMNS (the columns of "
                "np.linalg.eigh's second result).")
    largest = C[np.argmax(np.abs(C), axis=0), np.arange(C.shape[1])]
    assert_true(bool(np.all(largest > 0)),
                f"fit_pca components {np.flatnonzero(largest <= 0).tolist()} have a negative largest-magnitude entry.",
                "the sign convention is part of the scaffold (_positive_signs); keep it on the returned components.")


def pca_projection_variance(ctx, random_shapes):
    X_train, stats = fit_pca_for(ctx, random_shapes, k_all=False, fit=ctx.other)
    Z = ctx.call(f"{T}.pca_project", X_train, stats)
    lam = stats["eigenvalues"]
    want = (len(X_train), len(lam))
    assert_true(isinstance(Z, np.ndarray) and Z.shape == want,
                f"pca_project returned {getattr(Z, 'shape', type(Z).__name__)}; expected shape {want}.")
    assert_near("covariance of pca_project(X_train, fit_pca(X_train, k))", covariance(Z), np.diag(lam),
                PROPERTY_TOL * lam.max(),
                "the projected coordinates are uncorrelated and their variances are the eigenvalues; "
                "check that the eigenvectors are the COLUMNS of components and the covariance divides by N.")


def pca_round_trip(ctx, random_shapes):
    X_train, X_test = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
    stats = get_stats("fit_pca", ctx.other(f"{T}.fit_pca", X_train), PCA_KEYS)
    X_hat = ctx.call(f"{T}.pca_reconstruct", ctx.other(f"{T}.pca_project", X_test, stats), stats)
    assert_near("pca_reconstruct(pca_project(X_test, stats), stats) with all components", X_hat, X_test,
                PROPERTY_TOL * np.abs(X_test).max(), "with k = D the projection is a rotation: "
                "reconstruct multiplies by components^T and adds the mean back.")


def whitened_identity(fn, k_all):
    def prop(ctx, random_shapes):
        X_train, _ = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
        D = X_train.shape[1]
        k = D if k_all else pick_k(ctx.rng, random_shapes, D)
        stats = get_stats("fit_whitening", ctx.other(f"{T}.fit_whitening", X_train, WHITEN_EPS, k),
                          PCA_KEYS + ("scale",))
        out = ctx.call(f"{T}.{fn}", X_train, stats)
        width = k if fn == "pca_whiten" else D
        known = formula_hint("out", APPLY_MISTAKES[fn], no_rotation_hint if fn == "zca_whiten" else None)(
            {"X": X_train, **stats}, {"out": out}, None)
        assert_near(f"covariance of {fn}(X_train, fit_whitening(X_train, eps={WHITEN_EPS:g}, k={k}))",
                    covariance(out) if isinstance(out, np.ndarray) and out.ndim == 2 else out,
                    np.eye(width), WHITEN_TOL, known)
    return prop


def leaves_inputs_unchanged(fn: str):
    """Writes into X or into the arrays of the stats dict, as the runner saw them."""
    def prop(ctx, random_shapes):
        X_train, X_test = correlated_data(ctx.rng, *split_shape(ctx.rng, random_shapes))
        if fn.startswith("fit_"):
            ctx.call(f"{T}.{fn}", X_train)
            written = ctx.runner.last_changed
            assert_true(not written, f"{fn} changed its argument {written[0] if written else ''} in place.",
                        "X belongs to the caller: centre a copy (Xc = X - mean), never X itself (X -= mean).")
            return
        stats = pca_stats(ctx.rng, X_train.shape[1], X_train.shape[1])
        stats["std"] = X_train.std(axis=0)
        given = {key: value.copy() for key, value in stats.items()}
        data = X_test @ stats["components"] if fn == "pca_reconstruct" else X_test
        ctx.call(f"{T}.{fn}", data, stats)
        written = ctx.runner.last_changed
        assert_true(not written, f"{fn} changed its argument {written[0] if written else ''} in place.",
                    "the data and the statistics belong to the caller; compute new arrays instead of writing into them.")
        changed = [key for key in given if key not in stats or not np.array_equal(stats[key], given[key])]
        assert_true(not changed, f"{fn} changed stats[{changed[0]!r}]." if changed else "",
                    "the statistics belong to the caller; compute new arrays instead of writing into them.")
    return prop


FUNCTIONS = ("fit_mean", "subtract_mean", "fit_standardize", "standardize", "fit_pca", "pca_project",
             "pca_reconstruct", "fit_whitening", "pca_whiten", "zca_whiten")

INPUTS_UNCHANGED = "leaves X and stats unchanged"  # a style check: covers writes into every input
PROPERTIES = [  # (function, check name, property)
    ("subtract_mean", "a shifted test set is centred with the TRAIN mean", train_stats_on_test_mean),
    ("standardize", "a shifted test set is scaled with the TRAIN mean and std", train_stats_on_test_standardize),
    ("standardize", "standardized train data has mean 0 and std 1 per feature", standardized_train_is_unit),
    ("standardize", "a constant feature gives finite output (0)", constant_feature_is_finite),
    ("fit_pca", "eigenvalues sorted in descending order", pca_sorted_descending),
    ("fit_pca", "components are orthonormal columns", pca_orthonormal),
    ("fit_pca", "largest-magnitude entry of every component is positive", pca_sign_convention),
    ("pca_project", "projected train data has covariance diag(eigenvalues)", pca_projection_variance),
    ("pca_reconstruct", "reconstruct(project(X)) with all components gives X", pca_round_trip),
    ("pca_whiten", "whitened train data has identity covariance", whitened_identity("pca_whiten", False)),
    ("zca_whiten", "ZCA-whitened train data has identity covariance", whitened_identity("zca_whiten", True)),
] + [(fn, INPUTS_UNCHANGED, leaves_inputs_unchanged(fn)) for fn in FUNCTIONS]


def _register(fn, name, prop):
    @check(T, fn, name, style=name == INPUTS_UNCHANGED)
    def public(ctx):
        prop(ctx, False)


for _fn, _name, _prop in PROPERTIES:
    _register(_fn, _name, _prop)
