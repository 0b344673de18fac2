"""Hidden-only checks for trainlab/babysit.py (instructor side).

A deeper model's params, a sweep in shuffled order and a wider search range, drawn from the
per-student seed; the first two against the reference, the last by its distribution.
"""
from __future__ import annotations

import numpy as np

from ..checks import babysit as public
from ..core.compare import TOL_EXACT, assert_close, assert_true
from ..core.errors import CheckFailure
from ..core.registry import check

T = public.T


def _need_reference(ctx):
    if ctx.reference is None:
        raise CheckFailure("hidden checks need the reference solutions, which are not installed here.")


@check(T, "expected_initial_loss", "a deeper model with batchnorm params (hidden, random shapes)", hidden=True)
def initial_loss_deep(ctx):
    _need_reference(ctx)
    dims = [int(d) for d in ctx.rng.integers(3, 10, 5)]
    params = {}
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:]), 1):
        params[f"W{i}"], params[f"b{i}"] = ctx.rng.standard_normal((a, b)), ctx.rng.standard_normal(b)
        if i < len(dims) - 1:
            params[f"gamma{i}"], params[f"beta{i}"] = 1 + ctx.rng.random(b), ctx.rng.standard_normal(b)
    reg, C = float(ctx.rng.uniform(0.01, 1.0)), dims[-1]
    expected = public._initial_losses(ctx.reference.call, [C], params, reg)
    got = public._initial_losses(ctx.call, [C], params, reg)
    assert_close(f"expected_initial_loss({C}, params of {len(dims) - 1} layers, reg={reg:.4g})", got, expected,
                 TOL_EXACT, public.penalty_hint({"reg": reg, **params}, {"loss": got}, {"loss": expected}))


@check(T, "lr_sweep_verdicts", "a sweep in shuffled order (hidden)", hidden=True)
def sweep_shuffled(ctx):
    _need_reference(ctx)
    inputs = public.make_sweep(ctx.rng, True)
    order = ctx.rng.permutation(len(public.SWEEP_RUNS))
    rates = inputs["learning_rates"][order]
    histories = [inputs[f"loss{k}"] for k in order]
    want, want_best = public._verdicts(ctx.reference.call, rates, histories, inputs["ipe"], inputs["C"])
    got, best = public._verdicts(ctx.call, rates, histories, inputs["ipe"], inputs["C"])
    wrong = np.flatnonzero(got != want)
    if wrong.size:
        k = int(wrong[0])
        name = public.SWEEP_RUNS[order[k]][0]
        raise CheckFailure(f"lr_sweep_verdicts called the {name!r} run (rate {rates[k]:.3g}) "
                           f"{public.VERDICTS[got[k]]!r}; expected {public.VERDICTS[want[k]]!r}.",
                           public.sweep_hint({}, {"verdicts": got[np.argsort(order)]}, {"verdicts": want[np.argsort(order)]}))
    assert_true(best == want_best, f"lr_sweep_verdicts gave best_lr {best!r}; expected {want_best!r}.", public.BEST_HINT)


@check(T, "log_uniform_samples", "log10 uniform over a range of many decades (hidden)", hidden=True)
def log_uniform_wide(ctx):
    low = 10 ** ctx.rng.uniform(-12, -8)
    high = low * 10 ** ctx.rng.uniform(6, 12)
    ranges = {"x": np.array([low, high])}
    samples = public._samples(ctx.call, ranges, public.N_KS, int(ctx.rng.integers(2 ** 31)))
    public._in_bounds(samples, ranges)
    position = (np.log10(np.clip(samples["x"], low, high)) - np.log10(low)) / (np.log10(high) - np.log10(low))
    d = public.ks_distance(position)
    assert_true(d <= public.KS_LIMIT, f"log_uniform_samples over [{low:.3g}, {high:.3g}]: log10 of the samples is not "
                                      f"uniform (Kolmogorov-Smirnov distance {d:.3f} on {public.N_KS} samples).",
                public.UNIFORM_HINT)
