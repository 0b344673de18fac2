"""Hidden-only checks for trainlab/regularization.py (instructor side).

The property checks of grader/checks/regularization.py again, with keep_prob, shapes and values
drawn from the per-student seed.
"""
from ..checks import regularization as public
from ..core.registry import check

T = public.T


@check(T, "dropout_forward", "ones in train mode: drop rate and mean (hidden, random keep_prob)", hidden=True)
def dropout_keep_rate(ctx):
    public.keep_rate(ctx, True)


@check(T, "dropout_forward_noninverted", "test output equals the train expectation (hidden, random keep_prob)",
       hidden=True)
def noninverted_expectation(ctx):
    public.expectation_matches_test(ctx, True)


for _fn in public.PENALTIES:
    check(T, _fn, "gradients match the numeric gradient (hidden, random shapes)", hidden=True)(
        lambda ctx, _f=_fn: public.penalty_gradient(ctx, _f, True))


@check(T, "max_norm", "long columns end on the bound, short ones unchanged (hidden, random shapes)", hidden=True)
def max_norm_property(ctx):
    public.max_norm_projects(ctx, True)
