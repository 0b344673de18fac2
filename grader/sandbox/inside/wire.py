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

A message is bounded before it is decoded: its JSON takes at most MAX_HEADER_BYTES and describes
at most MAX_NODES values nested at most MAX_DEPTH deep, it holds at most MAX_ARRAYS arrays, and the
array elements its values refer to number at most MAX_ELEMENTS in all (each reference counts, so
one array named many times cannot multiply). Every array's size comes from its .npy header and
must match its bytes. The largest message the checks exchange (measured over every check, public
and hidden, on the reference with fresh inputs) has 7 arrays, 200100 elements, 80 values, 17
levels and 575 bytes of JSON; the limits leave room for 80 times the elements (16M: a 128 MiB
float64 array) and hundreds of times the rest. `encode` applies the same limits, so an honest
worker names the function whose value is too large. Reading keeps one copy of the frame and makes
one copy of each array: decoding costs about the size of the arrays, never a Python object per
element.
"""
from __future__ import annotations

import io
import json
import math
import struct

import numpy as np

ARRAY_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex
MAX_DEPTH = 40
MAX_MESSAGE_BYTES = 1 << 30  # a generous bound on one reply; larger replies are refused, not read
MAX_HEADER_BYTES = 1 << 22  # the JSON part of one message
MAX_NODES = 1 << 16  # JSON values in one message
MAX_ARRAYS = 1 << 12  # .npy records in one message
MAX_ELEMENTS = 1 << 24  # array elements in one message, counted per reference
MAX_ARRAY_BYTES = 1 << 27  # bytes of array data in one message (16M float64), counted per reference
MAX_FRAME_BYTES = MAX_ARRAY_BYTES + (1 << 25)  # one whole frame: the arrays, their headers and the JSON
MAX_NPY_HEADER = 1 << 12  # bytes of one .npy header (NumPy writes 128 for up to about 20 dimensions)
MAX_NDIM = 32
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
_HEAD = struct.Struct("<QI")
_LEN = struct.Struct("<Q")


class WireError(ValueError):
    """A value that may not cross the boundary, or a malformed message."""


class _Budget:
    """What one message may still hold; spending past a limit raises WireError naming `where`."""

    LIMITS = {"values": MAX_NODES, "arrays": MAX_ARRAYS, "array elements": MAX_ELEMENTS,
              "bytes of arrays": MAX_ARRAY_BYTES}

    def __init__(self, where: str):
        self.where, self.left = where, dict(self.LIMITS)

    def spend(self, array=None) -> None:
        """One value; `array` (an ndarray, or a (dtype, shape) pair) also spends its elements and bytes."""
        self._take("values", 1)
        if array is not None:
            dtype, shape = (array.dtype, array.shape) if isinstance(array, np.ndarray) else array
            count = math.prod(shape)
            self._take("arrays", 1)
            self._take("array elements", count)
            self._take("bytes of arrays", count * dtype.itemsize)

    def _take(self, what: str, amount: int) -> None:
        self.left[what] -= amount
        if self.left[what] < 0:
            raise WireError(f"{self.where} holds more than {self.LIMITS[what]} {what}, larger than a message may be")


def encode(value, where: str = "the value") -> tuple[object, list[bytes]]:
    """(JSON-able tree, npy blobs) for `value`; WireError names the first value that cannot cross."""
    blobs: list[bytes] = []
    return _encode(value, blobs, where, 0, _Budget(where)), blobs


def validate(value, where: str = "the value") -> None:
    """WireError naming the first value that cannot cross, as encode would, without writing any array."""
    _encode(value, None, where, 0, _Budget(where))


def _npy(array: np.ndarray, blobs: list | None) -> int:
    if blobs is None:  # validating only
        return 0
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def _encode(value, blobs, where, depth, budget):
    if depth > MAX_DEPTH:
        raise WireError(f"{where} is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if kind is not np.ndarray and not isinstance(value, np.generic):  # arrays spend with their size
        budget.spend()
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"f": value.hex()}
    if kind is np.ndarray:
        if value.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"{where} is an array of dtype {value.dtype}; use a numeric or bool dtype")
        budget.spend(value)
        return {"a": _npy(value, blobs)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and np.dtype(kind).kind in ARRAY_KINDS:
        budget.spend(np.asarray(value))
        return {"g": _npy(np.asarray(value), blobs)}
    if kind is np.random.Generator:
        return {"rng": _encode(value.bit_generator.state, blobs, where, depth + 1, budget)}
    if kind in (tuple, list):
        items = [_encode(v, blobs, f"element {i} of {where}", depth + 1, budget) for i, v in enumerate(value)]
        return {"t" if kind is tuple else "l": items}
    if kind is dict:
        bad = [k for k in value if type(k) is not str]
        if bad:
            raise WireError(f"{where} is a dict with the key {bad[0]!r}; use str keys")
        return {"d": [[k, _encode(v, blobs, f"{where}[{k!r}]", depth + 1, budget)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        raise WireError(f"{where} is a {kind.__name__}; return a NumPy array (np.ndarray)")
    raise WireError(f"{where} is a {kind.__name__}; use arrays, numbers, strings, None, tuples, lists or dicts")


def decode(tree, blobs: list):
    """The value a tree describes, its arrays read from `blobs` (bytes-like .npy records); WireError
    for anything outside the grammar or the limits, found before any array is built."""
    records = [_record(i, blob) for i, blob in enumerate(blobs)]
    _measure(tree, records)
    return _decode(tree, records, 0)


def _record(index: int, blob) -> tuple:
    """(blob, dtype, shape, Fortran order, data offset) of one .npy record, from its header alone."""
    from numpy.lib import format as npy

    head = io.BytesIO(bytes(memoryview(blob)[:MAX_NPY_HEADER]))
    try:
        version = npy.read_magic(head)
        read = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}[version]
        shape, fortran, dtype = read(head)
    except Exception:
        raise WireError(f"array {index} is not a valid .npy record") from None
    if dtype.kind not in ARRAY_KINDS or dtype.names is not None or dtype.subdtype is not None:
        raise WireError(f"array {index} has dtype {dtype}, which may not cross")
    if len(shape) > MAX_NDIM or any(n < 0 for n in shape):
        raise WireError(f"array {index} has the shape {shape}, which is not valid")
    if head.tell() + math.prod(shape) * dtype.itemsize != len(memoryview(blob)):
        raise WireError(f"array {index} holds {len(memoryview(blob))} bytes, not those of shape {shape}")
    return blob, dtype, shape, fortran, head.tell()


def _measure(tree, records) -> None:
    """WireError if `tree` is nested deeper than MAX_DEPTH or breaks a limit of _Budget, counting
    as encode counts (every array reference counts); builds nothing."""
    budget, stack = _Budget("the message"), [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise WireError(f"the message is nested more than {MAX_DEPTH} levels deep")
        (tag, body), = node.items() if type(node) is dict and len(node) == 1 else ((None, None),)
        if tag in ("a", "g"):
            if type(body) is not int or not 0 <= body < len(records):
                raise WireError(f"array reference {body!r} is out of range")
            budget.spend(records[body][1:3])
            continue
        budget.spend()
        stack.extend((child, depth + 1) for child in _children(tag, body))


def _children(tag, body) -> list:
    """The values inside a tagged value, as _decode visits them (malformed ones are its to refuse)."""
    if tag in ("t", "l") and type(body) is list:
        return body
    if tag == "d" and type(body) is list:
        return [pair[1] for pair in body if type(pair) is list and len(pair) == 2]
    return [body] if tag == "rng" else []


def _array(index, records) -> np.ndarray:
    """A new, writable array of record `index` (one copy of its bytes, in its own memory layout)."""
    blob, dtype, shape, fortran, offset = records[index]
    count = math.prod(shape)
    if count == 0:
        return np.empty(shape, dtype, order="F" if fortran else "C")
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    array = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return array.copy(order="K")


def _decode(tree, records, depth):
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
        return _array(body, records)
    if tag == "g":
        array = _array(body, records)
        if array.ndim != 0:
            raise WireError("a NumPy scalar must be a 0-d array")
        return array[()]
    if tag in ("t", "l") and type(body) is list:
        items = [_decode(v, records, depth + 1) for v in body]
        return tuple(items) if tag == "t" else items
    if tag == "d" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("a dict entry must be a [str, value] pair")
            out[pair[0]] = _decode(pair[1], records, depth + 1)
        return out
    if tag == "rng":
        return _generator(_decode(body, records, depth + 1))
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


def _check_head(head_len: int, n_blobs: int) -> None:
    if head_len > MAX_HEADER_BYTES:
        raise WireError(f"its description takes {head_len} bytes, larger than the limit of {MAX_HEADER_BYTES}")
    if n_blobs > MAX_ARRAYS:
        raise WireError(f"it holds {n_blobs} arrays, more than the limit of {MAX_ARRAYS}")


def frame_length(data) -> int | None:
    """The length of the frame at the start of `data` (bytes received so far), once its length
    fields have arrived; None before that. WireError as soon as the lengths break a limit."""
    if len(data) < _HEAD.size:
        return None
    head_len, n_blobs = _HEAD.unpack_from(data)
    _check_head(head_len, n_blobs)
    pos = _HEAD.size + head_len
    for _ in range(n_blobs):
        if len(data) < pos + _LEN.size:
            return None
        pos += _LEN.size + _LEN.unpack_from(data, pos)[0]
        if pos > MAX_FRAME_BYTES:
            raise WireError(f"it takes more than {MAX_FRAME_BYTES} bytes, larger than a message may be")
    return pos


def _tree(head) -> object:
    """The JSON tree of a message, refused before parsing when its separators show more than
    MAX_NODES values (each value of the grammar takes at most four of `,` `:` `[`)."""
    head = bytes(head)
    if head.count(b",") + head.count(b":") + head.count(b"[") > 4 * MAX_NODES:  # a value takes at most 4 of them
        raise WireError(f"the message holds more than {MAX_NODES} values, larger than a message may be")
    try:
        return json.loads(head)
    except RecursionError:
        raise WireError(f"the message is nested more than {MAX_DEPTH} levels deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WireError("the message header is not valid JSON") from None


def read_frame(data, limit: int = MAX_MESSAGE_BYTES):
    """(value, frame length) of the frame at the start of the bytes-like `data`, read in place:
    the arrays are the only copies made."""
    view = memoryview(data).cast("B")
    size = frame_length(view)
    if size is None or size > len(view):
        raise EOFError("the other side closed the connection")
    if size > limit:
        raise WireError(f"a message larger than {limit} bytes was refused")
    head_len, n_blobs = _HEAD.unpack_from(view)
    pos, blobs = _HEAD.size + head_len, []
    tree = _tree(view[_HEAD.size:pos])
    for _ in range(n_blobs):
        (length,) = _LEN.unpack_from(view, pos)
        blobs.append(view[pos + _LEN.size:pos + _LEN.size + length])
        pos += _LEN.size + length
    return decode(tree, blobs), size


def _read_exact(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError("the other side closed the connection")
    return data


def read_message(stream, limit: int = MAX_MESSAGE_BYTES):
    """Read one frame and decode it; WireError if it is malformed or breaks a limit (`limit` bytes,
    and the limits above). A BytesIO is read in place, without copying its bytes."""
    if type(stream) is io.BytesIO:
        start = stream.tell()
        value, size = read_frame(memoryview(stream.getvalue())[start:], limit)
        stream.seek(start + size)
        return value
    head_len, n_blobs = _HEAD.unpack(_read_exact(stream, _HEAD.size))
    _check_head(head_len, n_blobs)
    if head_len > limit:
        raise WireError(f"a message larger than {limit} bytes was refused")
    tree = _tree(_read_exact(stream, head_len))
    total, blobs = head_len, []
    for _ in range(n_blobs):
        (size,) = _LEN.unpack(_read_exact(stream, _LEN.size))
        total += size
        if total > limit:
            raise WireError(f"a message larger than {limit} bytes was refused")
        blobs.append(_read_exact(stream, size))
    return decode(tree, blobs)
