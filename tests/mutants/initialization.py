"""Buggy initializers."""
import numpy as np

from trainlab import initialization as ref

from . import mutant

T = "initialization"


@mutant(f"{T}.fan_in_and_fan_out", "conv fans forget the receptive field (C and F only)", hint='receptive field')
def fans_without_receptive_field(shape):
    if len(shape) == 4:
        F, C, HH, WW = shape
        return C, F
    return ref.fan_in_and_fan_out(shape)


@mutant(f"{T}.fan_in_and_fan_out", "dense fans swapped (treats w as (D_out, D_in))", hint='fan_in = D_in = shape[0]')
def fans_swapped(shape):
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    return (fan_out, fan_in) if len(shape) == 2 else (fan_in, fan_out)


@mutant(f"{T}.fan_in_and_fan_out", "accepts any rank (no ValueError for a 3-D shape); (out, in) dense fans",
        hint=('when to raise ValueError', 'fan_in = D_in = shape[0]'))
def fans_any_rank(shape):
    return int(np.prod(shape[1:])), int(shape[0])


@mutant(f"{T}.gaussian_init", "draws from the global np.random (not reproducible)", hint='never from np.random')
def gaussian_global(shape, std, rng):
    return std * np.random.standard_normal(shape)


@mutant(f"{T}.gaussian_init", "uses std as the variance", hint='std is the standard deviation')
def gaussian_variance(shape, std, rng):
    return np.sqrt(std) * rng.standard_normal(shape)


@mutant(f"{T}.gaussian_init", "builds its own Generator with a fixed seed", hint='fixed seed')
def gaussian_fixed_seed(shape, std, rng):
    return std * np.random.default_rng(0).standard_normal(shape)


@mutant(f"{T}.xavier_normal", "variance 1 / fan_out in mode 'average'", hint='looks like 1 / fan_out')
def xavier_fan_out(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 1.0 / fan_out if mode == "average" else 1.0 / fan_in
    return np.sqrt(var) * rng.standard_normal(shape)


@mutant(f"{T}.xavier_normal", "variance 2 / fan_in in mode 'average'", hint='looks like 2 / fan_in')
def xavier_two_over_fan_in(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / fan_in if mode == "average" else 1.0 / fan_in
    return np.sqrt(var) * rng.standard_normal(shape)


@mutant(f"{T}.xavier_normal", "ignores mode (always 'average')", hint='mode chooses')
def xavier_ignores_mode(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    return ref.xavier_normal(shape, rng, "average")


@mutant(f"{T}.xavier_uniform", "bound sqrt(var) instead of sqrt(3 var)", hint='sqrt(3) * std')
def xavier_uniform_std_bound(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    return rng.uniform(-np.sqrt(var), np.sqrt(var), shape)


@mutant(f"{T}.xavier_uniform", "draws normal numbers instead of uniform",
        hint='rng.uniform(-bound, bound, shape) with bound')
def xavier_uniform_draws_normal(shape, rng, mode="average"):
    return ref.xavier_normal(shape, rng, mode)


@mutant(f"{T}.kaiming_normal", "missing the sqrt(2) gain", hint='He gain')
def kaiming_no_gain(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    return rng.standard_normal(shape) / np.sqrt(fan)


@mutant(f"{T}.kaiming_normal", "ignores negative_slope (always the ReLU gain)", hint='must use negative_slope')
def kaiming_ignores_slope(shape, rng, negative_slope=0.0, mode="fan_in"):
    return ref.kaiming_normal(shape, rng, 0.0, mode)


@mutant(f"{T}.kaiming_normal", "always uses fan_in, whatever the mode", hint='mode chooses')
def kaiming_ignores_mode(shape, rng, negative_slope=0.0, mode="fan_in"):
    ref._check_mode(mode, ref.KAIMING_MODES)
    return ref.kaiming_normal(shape, rng, negative_slope, "fan_in")


@mutant(f"{T}.kaiming_normal", "gain 2 / (1 + a^2) without the square root", hint='take the square root')
def kaiming_unrooted_gain(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    return 2.0 / (1.0 + negative_slope ** 2) / np.sqrt(fan) * rng.standard_normal(shape)


@mutant(f"{T}.kaiming_uniform", "uses the normal std as the bound", hint='sqrt(3) * std')
def kaiming_uniform_std_bound(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    std = np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return rng.uniform(-std, std, shape)


@mutant(f"{T}.kaiming_uniform", "draws uniform(0, bound): not centred", hint='symmetric around zero')
def kaiming_uniform_one_sided(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    bound = np.sqrt(6.0 / (1.0 + negative_slope ** 2) / fan)
    return rng.uniform(0.0, bound, shape)


@mutant(f"{T}.kaiming_uniform", "returns float32", hint='float64')
def kaiming_uniform_float32(shape, rng, negative_slope=0.0, mode="fan_in"):
    return ref.kaiming_uniform(shape, rng, negative_slope, mode).astype(np.float32)


@mutant(f"{T}.gaussian_init", "draws float32 (rng.standard_normal(shape, dtype=np.float32)) to save memory",
        hint='dtype=np.float32')
def gaussian_float32(shape, std, rng):
    return std * rng.standard_normal(shape, dtype=np.float32)


@mutant(f"{T}.xavier_normal", "draws a (fan_in, fan_out) matrix instead of the given shape", hint='of the given shape')
def xavier_normal_fan_shape(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    return np.sqrt(var) * rng.standard_normal((fan_in, fan_out))


@mutant(f"{T}.xavier_normal", "draws from the global np.random.normal (not reproducible)", hint='never from np.random')
def xavier_normal_global(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    return np.random.normal(0.0, np.sqrt(var), shape)


@mutant(f"{T}.xavier_normal", "builds np.random.default_rng(42) inside instead of using rng", hint='fixed seed')
def xavier_normal_fixed_seed(shape, rng, mode="average"):
    return ref.xavier_normal(shape, np.random.default_rng(42), mode)


@mutant(f"{T}.xavier_normal", "dropped the scaffold's mode check: an unknown mode means fan_in",
        hint='when to raise ValueError')
def xavier_normal_no_mode_check(shape, rng, mode="average"):
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    return np.sqrt(var) * rng.standard_normal(shape)


@mutant(f"{T}.xavier_uniform", "rescales rng.random(shape, dtype=np.float32) to [-bound, bound]",
        hint=('as the module docstring says', 'dtype=np.float32'))
def xavier_uniform_float32(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    bound = np.sqrt(3.0 * var)
    return (2 * rng.random(shape, dtype=np.float32) - 1) * np.float32(bound)


@mutant(f"{T}.xavier_uniform", "draws from the global np.random.uniform (not reproducible)",
        hint='never from np.random')
def xavier_uniform_global(shape, rng, mode="average"):
    ref._check_mode(mode, ref.XAVIER_MODES)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    bound = np.sqrt(3.0 * var)
    return np.random.uniform(-bound, bound, shape)


@mutant(f"{T}.xavier_uniform", "builds np.random.default_rng(0) inside instead of using rng", hint='fixed seed')
def xavier_uniform_fixed_seed(shape, rng, mode="average"):
    return ref.xavier_uniform(shape, np.random.default_rng(0), mode)


@mutant(f"{T}.xavier_uniform", "dropped the scaffold's mode check: an unknown mode means fan_in",
        hint='when to raise ValueError')
def xavier_uniform_no_mode_check(shape, rng, mode="average"):
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    var = 2.0 / (fan_in + fan_out) if mode == "average" else 1.0 / fan_in
    bound = np.sqrt(3.0 * var)
    return rng.uniform(-bound, bound, shape)


@mutant(f"{T}.kaiming_normal", "draws a (fan_in, fan_out) matrix instead of the given shape", hint='of the given shape')
def kaiming_normal_fan_shape(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    std = np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return std * rng.standard_normal((fan_in, fan_out))


@mutant(f"{T}.kaiming_normal", "draws from the global np.random.randn (not reproducible)", hint='never from np.random')
def kaiming_normal_global(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    std = np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return std * np.random.randn(*shape)


@mutant(f"{T}.kaiming_normal", "builds np.random.default_rng(0) inside instead of using rng", hint='fixed seed')
def kaiming_normal_fixed_seed(shape, rng, negative_slope=0.0, mode="fan_in"):
    return ref.kaiming_normal(shape, np.random.default_rng(0), negative_slope, mode)


@mutant(f"{T}.kaiming_normal", "dropped the scaffold's mode check: an unknown mode means fan_out",
        hint='when to raise ValueError')
def kaiming_normal_no_mode_check(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return std * rng.standard_normal(shape)


@mutant(f"{T}.kaiming_uniform", "draws from the global np.random.uniform (not reproducible)",
        hint='never from np.random')
def kaiming_uniform_global(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan = ref._kaiming_fan(shape, mode)
    bound = np.sqrt(3.0) * np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return np.random.uniform(-bound, bound, shape)


@mutant(f"{T}.kaiming_uniform", "builds np.random.default_rng(1234) inside instead of using rng", hint='fixed seed')
def kaiming_uniform_fixed_seed(shape, rng, negative_slope=0.0, mode="fan_in"):
    return ref.kaiming_uniform(shape, np.random.default_rng(1234), negative_slope, mode)


@mutant(f"{T}.kaiming_uniform", "dropped the scaffold's mode check: an unknown mode means fan_out",
        hint='when to raise ValueError')
def kaiming_uniform_no_mode_check(shape, rng, negative_slope=0.0, mode="fan_in"):
    fan_in, fan_out = ref.fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = np.sqrt(3.0) * np.sqrt(2.0 / (1.0 + negative_slope ** 2)) / np.sqrt(fan)
    return rng.uniform(-bound, bound, shape)
