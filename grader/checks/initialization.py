"""Checks for trainlab/initialization.py.

Reference-output cases build `rng = np.random.default_rng(seed)` inside `run`, so the student's
single documented draw must reproduce the reference bit for bit. The statistical checks compare the
sample mean and standard deviation of a large draw with the std that the GRADER computes from the
papers' formulas (not from the reference), with tolerances derived from the sample size.
"""
from __future__ import annotations

import numpy as np

from ..core.cases import Case, add_case
from ..core.compare import assert_true
from ..core.registry import check
from ..core.topic import Topic
from .common import RAISE_HINT, dims

T = Topic("initialization", array_inputs=False)
NORMAL = ("gaussian_init", "xavier_normal", "kaiming_normal")
UNIFORM = ("xavier_uniform", "kaiming_uniform")
INITIALIZERS = NORMAL + UNIFORM
WITH_MODE = ("xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform")
KAIMING_CHOICES = ("fan_in", "fan_out")

# Statistical tolerance. For n independent draws with mean 0 and std s:
#   * the sample mean has standard deviation s / sqrt(n);
#   * the root mean square r = sqrt(mean(w^2)) estimates s with relative standard deviation
#     1 / sqrt(2n) for a normal sample (Var(w^2) = 2 s^4, and the square root halves the relative
#     spread), and 0.45 / sqrt(n) for a uniform one (Var(w^2) = 0.8 s^4), so 1 / sqrt(2n) covers both.
# Both estimates are close to normal for n >= 10^4; a 6-sigma band fails a correct initializer with
# probability ~ 2e-9 per comparison, while every shape used has n >= 3 * 10^4 (band <= 2.5 %).
SIGMAS = 6.0


# ---------------------------------------------------------------- the grader's own formulas

def grader_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense (D_in, D_out) or conv (F, C, HH, WW) weight."""
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    F, C, HH, WW = (int(d) for d in shape)
    return C * HH * WW, F * HH * WW


def formula_std(name: str, shape, opts: dict) -> float:
    """The std an initializer must produce: Glorot & Bengio 2010, He et al. 2015."""
    if name == "gaussian_init":
        return float(opts["std"])
    fan_in, fan_out = grader_fans(shape)
    if name.startswith("xavier"):
        var = 2.0 / (fan_in + fan_out) if opts["mode"] == "average" else 1.0 / fan_in
        return float(np.sqrt(var))
    fan = fan_in if opts["mode"] == "fan_in" else fan_out
    return float(np.sqrt(2.0 / (1.0 + opts["negative_slope"] ** 2) / fan))


def call_init(call, name: str, shape: tuple, rng, opts: dict):
    """Call an initializer with its own signature; opts holds 'std', 'mode' or 'negative_slope'."""
    if name == "gaussian_init":
        return call(f"{T}.gaussian_init", shape, opts["std"], rng)
    if name.startswith("xavier"):
        return call(f"{T}.{name}", shape, rng, opts["mode"])
    return call(f"{T}.{name}", shape, rng, opts["negative_slope"], opts["mode"])


def describe_opts(name: str, opts: dict) -> str:
    keys = {"gaussian_init": ("std",)}.get(name, ("mode",) if name.startswith("xavier") else ("negative_slope", "mode"))
    return ", ".join(f"{k}={opts[k]!r}" for k in keys)


def default_opts(name: str) -> dict:
    if name == "gaussian_init":
        return {"std": 0.01}
    if name.startswith("xavier"):
        return {"mode": "average"}
    return {"negative_slope": 0.0, "mode": "fan_in"}


# ---------------------------------------------------------------- statistical verdict

def assert_statistics(name: str, shape: tuple, opts: dict, w) -> None:
    """Fail unless w (drawn with `shape`, `opts`) has mean ~ 0 and std ~ formula_std (see SIGMAS)."""
    what = f"{name}({shape}, {describe_opts(name, opts)})"
    assert_true(isinstance(w, np.ndarray) and w.shape == shape,
                f"{what} returned {getattr(w, 'shape', type(w).__name__)}; expected an array of shape {shape}.")
    n = w.size
    std = formula_std(name, shape, opts)
    rms = float(np.sqrt(np.mean(np.square(w, dtype=np.float64))))
    std_tol = SIGMAS / np.sqrt(2 * n)
    fans = "" if name == "gaussian_init" else " (fan_in = {}, fan_out = {})".format(*grader_fans(shape))
    assert_true(abs(rms / std - 1) <= std_tol,
                f"{what}: the {n} weights have standard deviation {rms:.5g}; expected {std:.5g}{fans}, "
                f"within a relative {std_tol:.2g}.", std_hint(name, shape, opts, rms))
    mean = float(np.mean(w))
    mean_tol = SIGMAS * std / np.sqrt(n)
    assert_true(abs(mean) <= mean_tol,
                f"{what}: the weights have mean {mean:.3g}; expected 0 within {mean_tol:.2g}.",
                "draw symmetric around zero: std * rng.standard_normal(shape) or rng.uniform(-bound, bound, shape).")
    if name in UNIFORM:
        bound = np.sqrt(3.0) * std
        assert_true(float(np.max(np.abs(w))) <= bound * (1 + 1e-12),
                    f"{what}: largest |w| is {float(np.max(np.abs(w))):.5g}, outside the bound "
                    f"sqrt(3) * std = {bound:.5g}.",
                    DTYPE_HINT if w.dtype != np.float64 else
                    "a uniform initializer draws rng.uniform(-bound, bound, shape) with bound = sqrt(3 * var).")


HINT_MATCH = 0.02  # a std within 2 % of a known mistake's std is taken to be that mistake


def known_std_mistake(name: str, shape, opts: dict, rms: float) -> str | None:
    """Name the known mistake whose std matches the student's, if any."""
    fan_in, fan_out = grader_fans(shape)
    std = formula_std(name, shape, opts)
    mistakes = []
    if name == "gaussian_init":
        mistakes.append((np.sqrt(std), "std is the standard deviation: w = std * rng.standard_normal(shape), "
                                       "not sqrt(std) * ..."))
    if name.startswith("xavier") and opts["mode"] != "average":
        mistakes.append((np.sqrt(2.0 / (fan_in + fan_out)), "mode chooses the variance: 'average' is "
                                                            "2 / (fan_in + fan_out), 'fan_in' is 1 / fan_in."))
    if name.startswith("xavier") and opts["mode"] == "average":
        mistakes += [(np.sqrt(1.0 / fan_out), "the variance is 2 / (fan_in + fan_out); this looks like 1 / fan_out."),
                     (np.sqrt(2.0 / fan_in), "the variance is 2 / (fan_in + fan_out); this looks like 2 / fan_in.")]
    if name.startswith("kaiming"):
        slope = opts["negative_slope"]
        gain = np.sqrt(2.0 / (1.0 + slope ** 2))
        other_fan = fan_out if opts["mode"] == "fan_in" else fan_in
        mistakes += [(std / gain, "the He gain sqrt(2 / (1 + negative_slope^2)) seems to be missing."),
                     (std * np.sqrt(1.0 + slope ** 2), "the He gain must use negative_slope: "
                                                       "sqrt(2 / (1 + negative_slope^2))."),
                     (gain / np.sqrt(other_fan), "mode chooses the fan: 'fan_in' uses fan_in, 'fan_out' uses fan_out."),
                     (gain ** 2 * std / gain, "the std is gain / sqrt(fan) with gain = sqrt(2 / (1 + negative_slope^2)): "
                                             "take the square root of 2 / (1 + negative_slope^2).")]
    if name in UNIFORM:
        mistakes.append((std / np.sqrt(3.0), "the uniform bound is sqrt(3) * std, not std "
                                             "(U(-a, a) has variance a^2 / 3)."))
    matching = {hint for candidate, hint in mistakes
                if abs(candidate / std - 1) > 2 * HINT_MATCH and abs(rms / candidate - 1) < HINT_MATCH}
    return matching.pop() if len(matching) == 1 else None  # two mistakes with the same std: say neither


def std_hint(name: str, shape, opts: dict, rms: float) -> str:
    """The known mistake whose std matches the student's, else where the std comes from."""
    known = known_std_mistake(name, shape, opts, rms)
    if known:
        return known
    if name == "gaussian_init":
        return "the std comes from the argument std: w = std * rng.standard_normal(shape)."
    return "the std comes from the fans (fan_in_and_fan_out) and the formula in the docstring."


# ---------------------------------------------------------------- reference-output cases

def distinct_fans(rng, random_shapes: bool, fixed: tuple, low: int, high: int) -> tuple:
    """A shape like `fixed` whose first two axes differ (D_in != D_out, F != C), so that fan_in
    and fan_out differ and every mistake of mode or axis order changes the result."""
    while True:
        shape = dims(rng, random_shapes, fixed, low=low, high=high)
        if shape[0] != shape[1]:
            return shape


def make_fans(rank):
    def make(rng, random_shapes):
        fixed = (7, 3) if rank == 2 else (6, 3, 5, 2)
        return {"shape": np.array(distinct_fans(rng, random_shapes, fixed, low=2, high=12))}
    return make


def run_fans(call, inputs):
    shape = tuple(int(d) for d in inputs["shape"])
    fans = call(f"{T}.fan_in_and_fan_out", shape)
    assert_true(isinstance(fans, tuple) and len(fans) == 2,
                f"fan_in_and_fan_out({shape}) returned {fans!r}; expected a tuple (fan_in, fan_out).")
    return {"fan_in": fans[0], "fan_out": fans[1]}


def fans_hint(inputs, got, expected):
    shape = tuple(int(d) for d in inputs["shape"])
    if len(shape) == 4 and got.get("fan_in") == shape[1]:
        return "each conv output sees C * HH * WW inputs: multiply the channels by the receptive field HH * WW."
    if len(shape) == 2 and got.get("fan_in") == shape[1]:
        return "a dense weight is (D_in, D_out) (used as x @ w), so fan_in = D_in = shape[0]."
    return None


for _rank, _kind in ((2, "dense (D_in, D_out)"), (4, "conv (F, C, HH, WW)")):
    add_case(Case(T, "fan_in_and_fan_out", f"{_kind} shape", make_fans(_rank), run_fans, hint=fans_hint))


def make_init(rank, opts_fixed, opts_random):
    """Inputs of an initializer case: a shape of the given rank, a seed and the options."""
    def make(rng, random_shapes):
        fixed = (6, 4) if rank == 2 else (4, 3, 3, 3)
        shape = distinct_fans(rng, random_shapes, fixed, low=1, high=10)
        opts = opts_random(rng) if random_shapes else dict(opts_fixed)
        return {"shape": np.array(shape), "seed": int(rng.integers(2 ** 31)), **opts}
    return make


def run_init(name):
    def run(call, inputs):
        shape = tuple(int(d) for d in inputs["shape"])
        return {"w": call_init(call, name, shape, np.random.default_rng(inputs["seed"]), inputs)}
    return run


def random_std(rng):
    return {"std": float(rng.uniform(0.001, 2.0))}


def fixed(**opts):
    return lambda rng: dict(opts)


def random_leaky(mode):
    return lambda rng: {"negative_slope": float(rng.uniform(0.01, 0.5)), "mode": mode}


INIT_CASES = {  # name -> [(case label, rank, public options, hidden options from rng)]
    "gaussian_init": [("std 0.01, dense", 2, {"std": 0.01}, random_std),
                      ("std 1.5, conv", 4, {"std": 1.5}, random_std)],
    "kaiming_normal": [("ReLU, fan_in, dense", 2, {"negative_slope": 0.0, "mode": "fan_in"},
                        fixed(negative_slope=0.0, mode="fan_in")),
                       ("leaky ReLU, fan_out, conv", 4, {"negative_slope": 0.2, "mode": "fan_out"},
                        random_leaky("fan_out"))],
}
for _name in ("xavier_normal", "xavier_uniform"):
    INIT_CASES[_name] = [("mode average, dense", 2, {"mode": "average"}, fixed(mode="average")),
                         ("mode average, conv", 4, {"mode": "average"}, fixed(mode="average")),
                         ("mode fan_in, dense", 2, {"mode": "fan_in"}, fixed(mode="fan_in"))]
INIT_CASES["kaiming_uniform"] = INIT_CASES["kaiming_normal"]


DTYPE_HINT = ("return float64 weights: draw with the default dtype (dtype=np.float32 draws other numbers, "
              "and .astype(np.float32) rounds them).")


def init_hint(name):
    """Same draw with the wrong scale -> the known mistake or the formula; the wrong shape or dtype
    -> that; anything else -> the draw itself."""

    def hint(inputs, got, expected):
        w, want = got.get("w"), expected["w"]
        shape = tuple(int(d) for d in inputs["shape"])
        if isinstance(w, np.ndarray) and w.shape != want.shape:
            return f"draw an array of the given shape {shape}; the fans only set the std."
        if isinstance(w, np.ndarray) and w.dtype != np.float64:
            return DTYPE_HINT
        if isinstance(w, np.ndarray) and want.size and np.all(want != 0):
            ratio = w / want
            if np.allclose(ratio, ratio.flat[0], rtol=1e-6):
                r = float(ratio.flat[0])
                return (known_std_mistake(name, shape, inputs, r * formula_std(name, shape, inputs))
                        or f"your draw matches but every weight is {r:.4g} times the expected one: "
                           "check the std (or bound) formula.")
        return ("draw exactly once from the rng you are given, as the module docstring says: "
                "std * rng.standard_normal(shape) or rng.uniform(-bound, bound, shape).")

    return hint


for _name, _cases in INIT_CASES.items():
    for _label, _rank, _fixed, _random in _cases:
        add_case(Case(T, _name, f"{_label}, seeded rng", make_init(_rank, _fixed, _random), run_init(_name),
                      hint=init_hint(_name)))


# ---------------------------------------------------------------- property checks

@check(T, "fan_in_and_fan_out", "a 3-D shape raises ValueError")
def fans_reject_rank3(ctx):
    ctx.call(f"{T}.fan_in_and_fan_out", (3, 4))  # must be implemented before its errors count
    exc = ctx.runner.raises(f"{T}.fan_in_and_fan_out", (3, 4, 5))
    assert_true(isinstance(exc, ValueError),
                f"fan_in_and_fan_out((3, 4, 5)) should raise ValueError; it "
                f"{'raised ' + type(exc).__name__ if exc else 'returned normally'}.", RAISE_HINT)


SHAPES = ((3, 5), (4, 3, 2, 2))


def _shape_dtype_check(name):
    @check(T, name, "returns a float64 array of the given shape (dense and conv)")
    def shape_dtype(ctx):
        for shape in SHAPES:
            w = call_init(ctx.call, name, shape, np.random.default_rng(0), default_opts(name))
            assert_true(isinstance(w, np.ndarray) and w.shape == shape and w.dtype == np.float64,
                        f"{name}({shape}, ...) returned {_describe(w)}; expected a float64 array of shape {shape}.",
                        DTYPE_HINT if isinstance(w, np.ndarray) and w.shape == shape else
                        f"draw an array of the given shape {shape}; the fans only set the std.")


def _describe(w):
    if isinstance(w, np.ndarray):
        return f"an array of shape {w.shape} and dtype {w.dtype}"
    return type(w).__name__


def _seed_checks(name):
    @check(T, name, "same seed, same weights")
    def reproducible(ctx):
        seed = int(ctx.rng.integers(2 ** 31))
        shape = (30, 20)
        first = call_init(ctx.call, name, shape, np.random.default_rng(seed), default_opts(name))
        second = call_init(ctx.call, name, shape, np.random.default_rng(seed), default_opts(name))
        assert_true(isinstance(first, np.ndarray) and isinstance(second, np.ndarray)
                    and first.shape == second.shape == shape and np.array_equal(first, second),
                    f"{name} gave different weights for two Generators built from the same seed {seed}.",
                    "draw only from the rng argument, never from np.random.* (the global generator).")

    @check(T, name, "different seeds, different weights")
    def seeds_differ(ctx):
        seed = int(ctx.rng.integers(2 ** 31))
        shape = (30, 20)
        first = call_init(ctx.call, name, shape, np.random.default_rng(seed), default_opts(name))
        second = call_init(ctx.call, name, shape, np.random.default_rng(seed + 1), default_opts(name))
        assert_true(not np.array_equal(first, second),
                    f"{name} gave identical weights for the seeds {seed} and {seed + 1}.",
                    "use the rng argument; do not build a Generator with a fixed seed inside the function.")


def _mode_check(name):
    @check(T, name, "an unknown mode raises ValueError")
    def bad_mode(ctx):
        call_init(ctx.call, name, (3, 5), np.random.default_rng(0), default_opts(name))
        exc = ctx.runner.raises(f"{T}.{name}", (3, 5), np.random.default_rng(0), mode="fan_average")
        assert_true(isinstance(exc, ValueError),
                    f"{name}(..., mode='fan_average') should raise ValueError; it "
                    f"{'raised ' + type(exc).__name__ if exc else 'returned normally'}.", RAISE_HINT)


# Large shapes whose fan_in and fan_out differ by a factor 16-30, so a formula with the wrong fan
# is off by far more than the statistical band; every n >= 36864 (band <= 2.3 %).
TALL, WIDE = (1200, 40), (40, 1200)
CONV_WIDE, CONV_NARROW = (256, 16, 3, 3), (16, 256, 3, 3)
STAT_CONFIGS = {
    "gaussian_init": [(TALL, {"std": 0.02}), (CONV_WIDE, {"std": 1.5})],
    "xavier": [(WIDE, {"mode": "average"}), (TALL, {"mode": "average"}), (CONV_WIDE, {"mode": "average"}),
               (WIDE, {"mode": "fan_in"}), (CONV_NARROW, {"mode": "fan_in"})],
    "kaiming": [(WIDE, {"negative_slope": 0.0, "mode": "fan_in"}), (TALL, {"negative_slope": 0.0, "mode": "fan_out"}),
                (CONV_WIDE, {"negative_slope": 1.0, "mode": "fan_in"}),
                (CONV_NARROW, {"negative_slope": float(np.sqrt(5.0)), "mode": "fan_out"})],
}


def stat_configs(name):
    return STAT_CONFIGS.get(name) or STAT_CONFIGS[name.split("_")[0]]


def _statistics_check(name):
    what = "values within +-bound, " if name in UNIFORM else ""
    @check(T, name, f"{what}mean 0 and the formula's std on large dense and conv shapes")
    def statistics(ctx):
        for shape, opts in stat_configs(name):
            rng = np.random.default_rng(int(ctx.rng.integers(2 ** 31)))
            assert_statistics(name, shape, opts, call_init(ctx.call, name, shape, rng, opts))


for _name in INITIALIZERS:
    _shape_dtype_check(_name)
    _seed_checks(_name)
    _statistics_check(_name)
    if _name in WITH_MODE:
        _mode_check(_name)
