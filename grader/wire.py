"""Plain data across a process boundary, without pickle.

What may cross: None, bool, int, float, str, NumPy arrays and scalars of a numeric or bool dtype,
np.random.Generator (as its bit generator's state), and tuples, lists and str-keyed dicts of those.
A message is a JSON tree plus the arrays it points to, each written in NumPy's .npy format and read
back with allow_pickle=False, so the reading side never runs code the writing side chose.

    frame   := u64 json_length, u32 n_arrays, json bytes, n_arrays * (u64 npy_length, npy bytes)
    tree    := null | true | false | <int> | <str>
             | {"f": float.hex()} | {"a": k} | {"g": k}          (array / NumPy scalar number k)
             | {"t": [tree...]} | {"l": [tree...]} | {"d": [[str, tree]...]} | {"rng": tree}

This module runs on both sides (the trusted grader and the sandbox worker), so it imports only the
standard library and NumPy. `decode` is strict: anything outside the grammar raises WireError.
"""
from __future__ import annotations

import io
import json
import struct

import numpy as np

ARRAY_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex
MAX_DEPTH = 40
MAX_MESSAGE_BYTES = 1 << 30  # a generous bound on one reply; larger replies are refused, not read
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_HEAD = struct.Struct("<QI")
_LEN = struct.Struct("<Q")


class WireError(ValueError):
    """A value that may not cross the boundary, or a malformed message."""


def encode(value, where: str = "the value") -> tuple[object, list[bytes]]:
    """(JSON-able tree, npy blobs) for `value`; WireError names the first value that cannot cross."""
    blobs: list[bytes] = []
    return _encode(value, blobs, where, 0), blobs


def validate(value, where: str = "the value") -> None:
    """WireError naming the first value that cannot cross, as encode would, without writing any array."""
    _encode(value, None, where, 0)


def _npy(array: np.ndarray, blobs: list | None) -> int:
    if blobs is None:  # validating only
        return 0
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def _encode(value, blobs, where, depth):
    if depth > MAX_DEPTH:
        raise WireError(f"{where} is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"f": value.hex()}
    if kind is np.ndarray:
        if value.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"{where} is an array of dtype {value.dtype}; use a numeric or bool dtype")
        return {"a": _npy(value, blobs)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and np.dtype(kind).kind in ARRAY_KINDS:
        return {"g": _npy(np.asarray(value), blobs)}
    if kind is np.random.Generator:
        return {"rng": _encode(value.bit_generator.state, blobs, where, depth + 1)}
    if kind in (tuple, list):
        items = [_encode(v, blobs, f"element {i} of {where}", depth + 1) for i, v in enumerate(value)]
        return {"t" if kind is tuple else "l": items}
    if kind is dict:
        bad = [k for k in value if type(k) is not str]
        if bad:
            raise WireError(f"{where} is a dict with the key {bad[0]!r}; use str keys")
        return {"d": [[k, _encode(v, blobs, f"{where}[{k!r}]", depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        raise WireError(f"{where} is a {kind.__name__}; return a NumPy array (np.ndarray)")
    raise WireError(f"{where} is a {kind.__name__}; use arrays, numbers, strings, None, tuples, lists or dicts")


def decode(tree, blobs: list[bytes]):
    """The value a tree describes; WireError for anything outside the grammar."""
    arrays: dict[int, np.ndarray] = {}
    return _decode(tree, blobs, arrays, 0)


def _array(index, blobs, arrays) -> np.ndarray:
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError(f"array reference {index!r} is out of range")
    if index not in arrays:
        try:
            array = np.lib.format.read_array(io.BytesIO(blobs[index]), allow_pickle=False)
        except Exception as exc:
            raise WireError(f"array {index} is not a valid .npy record ({type(exc).__name__})") from None
        if type(array) is not np.ndarray or array.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"array {index} has dtype {array.dtype}, which may not cross")
        arrays[index] = array
    return arrays[index].copy()


def _decode(tree, blobs, arrays, depth):
    if depth > MAX_DEPTH:
        raise WireError("the message is nested too deeply")
    if tree is None or type(tree) in (bool, int, str):
        return tree
    if type(tree) is not dict or len(tree) != 1:
        raise WireError(f"unexpected element {type(tree).__name__} in a message")
    (tag, body), = tree.items()
    if tag == "f" and type(body) is str:
        try:
            return float.fromhex(body)
        except ValueError:
            raise WireError(f"{body[:40]!r} is not a float") from None
    if tag == "a":
        return _array(body, blobs, arrays)
    if tag == "g":
        array = _array(body, blobs, arrays)
        if array.ndim != 0:
            raise WireError("a NumPy scalar must be a 0-d array")
        return array[()]
    if tag in ("t", "l") and type(body) is list:
        items = [_decode(v, blobs, arrays, depth + 1) for v in body]
        return tuple(items) if tag == "t" else items
    if tag == "d" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("a dict entry must be a [str, value] pair")
            out[pair[0]] = _decode(pair[1], blobs, arrays, depth + 1)
        return out
    if tag == "rng":
        return _generator(_decode(body, blobs, arrays, depth + 1))
    raise WireError(f"unknown tag {tag!r} in a message")


def _generator(state) -> np.random.Generator:
    name = state.get("bit_generator") if type(state) is dict else None
    if name not in BIT_GENERATORS:
        raise WireError(f"unknown bit generator {name!r}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except Exception as exc:
        raise WireError(f"invalid {name} state ({type(exc).__name__})") from None
    return np.random.Generator(bit_generator)


def write_message(stream, value) -> None:
    """Encode `value` and write it as one frame; flushes."""
    tree, blobs = encode(value)
    head = json.dumps(tree, separators=(",", ":"), allow_nan=False).encode()
    stream.write(_HEAD.pack(len(head), len(blobs)))
    stream.write(head)
    for blob in blobs:
        stream.write(_LEN.pack(len(blob)))
        stream.write(blob)
    stream.flush()


def frame_length(data) -> int | None:
    """The length of the frame at the start of `data` (bytes received so far), once its length
    fields have arrived; None before that."""
    if len(data) < _HEAD.size:
        return None
    head_len, n_blobs = _HEAD.unpack_from(data)
    pos = _HEAD.size + head_len
    for _ in range(n_blobs):
        if len(data) < pos + _LEN.size:
            return None
        pos += _LEN.size + _LEN.unpack_from(data, pos)[0]
    return pos


def _read_exact(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the other side closed the connection")
    return data


def read_message(stream, limit: int = MAX_MESSAGE_BYTES):
    """Read one frame and decode it; WireError if it is malformed or larger than `limit` bytes."""
    head_len, n_blobs = _HEAD.unpack(_read_exact(stream, _HEAD.size))
    total = head_len
    if head_len > limit or n_blobs > limit // _LEN.size:
        raise WireError(f"a message of {head_len} bytes with {n_blobs} arrays exceeds the limit")
    try:
        tree = json.loads(_read_exact(stream, head_len))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WireError("the message header is not valid JSON") from None
    blobs = []
    for _ in range(n_blobs):
        (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
        total += size
        if total > limit:
            raise WireError(f"a message larger than {limit} bytes was refused")
        blobs.append(_read_exact(stream, size))
    return decode(tree, blobs)
