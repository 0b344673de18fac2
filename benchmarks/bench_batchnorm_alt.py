"""batchnorm_backward_alt (closed form) against batchnorm_backward (node by node), reference package.

Both run on the same cache from one batchnorm_forward in train mode and the same dout; the table
gives the median time of each, the ratio, and the rel_error between their dx (they must agree).

    python benchmarks/bench_batchnorm_alt.py [--quick]
"""
from _common import median_time, ms, parse_args, ratio, report  # before numpy: thread limits
import numpy as np

from trainlab.gradient_check import rel_error
from trainlab.normalization import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward

SHAPES = [(64, 256), (128, 1024), (512, 4096)]
QUICK_SHAPES = [(16, 32)]


def measure(N, D, repeats):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D))
    gamma, beta = 1 + 0.1 * rng.standard_normal(D), 0.1 * rng.standard_normal(D)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dout = rng.standard_normal((N, D))
    t_graph = median_time(lambda: batchnorm_backward(dout, cache), repeats)
    t_alt = median_time(lambda: batchnorm_backward_alt(dout, cache), repeats)
    agreement = rel_error(batchnorm_backward(dout, cache)[0], batchnorm_backward_alt(dout, cache)[0])
    return [f"{N} x {D}", ms(t_graph), ms(t_alt), ratio(t_graph, t_alt), f"{agreement:.1e}"]


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    repeats = 2 if args.quick else 15
    rows = [measure(N, D, repeats) for N, D in (QUICK_SHAPES if args.quick else SHAPES)]
    report("Batchnorm backward: closed form (alt) vs node by node",
           f"Median time of one backward call over {repeats} samples.",
           ["N x D", "batchnorm_backward ms", "batchnorm_backward_alt ms", "speed-up of alt", "dx rel_error"],
           rows, ["QUICK run."] if args.quick else [])


if __name__ == "__main__":
    main()
