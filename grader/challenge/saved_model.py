"""Reading a saved best_model.npz in the trusted process, within limits on its size and structure.

The notebook kernel writes the file, so it is hostile data. Before anything is decompressed or a
model is built, the zip's table of contents is checked (at most MAX_MEMBERS members, names from
the set save_model writes, stored or deflated, declared sizes bounded), then the config (short
JSON, known keys and values, at most MAX_PARAMETERS parameters), then every member's .npy header
(float32 or float64, the shape the config's architecture needs, a declared size that matches).
Only then is the reference FullyConnectedNet built and each array read with a bounded read that
must end exactly where its header says. Any violation raises ModelFileError, whose message is
one sentence naming the member and what is wrong.

Peak memory stays near the accepted model's own size: zipfile parses the central directory only
once its declared size and entry count are known to be small, arrays are read one at a time, in
chunks, into buffers of the size their header declares, and each takes the place of the reference
model's initial parameter of the same name, freed just before.
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import struct
import zipfile

import numpy as np
from numpy.lib import format as npy

MAX_HIDDEN_LAYERS = 10
MAX_MEMBERS = 1 + 6 * MAX_HIDDEN_LAYERS + 2  # config, W b gamma beta running_mean running_var per layer
MAX_PARAMETERS = 8_000_000
MAX_CONFIG_CHARS = 2000
MAX_NPY_HEADER = 1024  # bytes: save_model's headers take 128
MAX_MEMBER_BYTES = MAX_PARAMETERS * 8 + MAX_NPY_HEADER
MAX_MODEL_BYTES = MAX_PARAMETERS * 8 + (1 << 20)  # of the file on disk
READ_CHUNK = 1 << 20
CENTRAL_DIRECTORY_BYTES = MAX_MEMBERS * 1024  # an entry takes 46 bytes, its name and extra fields ~80 more
END_RECORD = struct.Struct("<4s4H2LH")  # the zip's end of central directory record, without its comment
ZIP64_LOCATOR_BYTES = 20
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
CONFIG_DTYPES = ("float32", "float64")
CONFIG_KEYS = ("hidden_dims", "activation", "normalization", "keep_prob", "reg", "dtype")
MEMBER_NAME = re.compile(r"config|param/(W|b|gamma|beta)[1-9][0-9]?|bn/[0-9]{1,2}/running_(mean|var)")


class ModelFileError(ValueError):
    """A saved model file breaks a limit; the message is one sentence for the grading report."""


def load_saved_model(path, package, input_dim: int, num_classes: int):
    """The reference FullyConnectedNet of `package` holding the weights saved at `path`.

    input_dim, num_classes: what the grading data needs (D features, C classes). Raises
    ModelFileError when the file is not a model of that shape within the limits above.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))  # never follow a link
    with os.fdopen(fd, "rb") as handle:
        _check_regular(handle)
        _check_central_directory(handle)
        with _open_zip(handle) as archive:
            members = _table_of_contents(archive)
            config = _read_config(archive, members.pop("config", None), package)
            required, optional = architecture(config, input_dim, num_classes)
            _check_names(members, required, optional)
            checks = {name: _array_check(name, {**optional, **required}[name]) for name in members}
            for name, info in members.items():
                _check_header(archive, info, name, checks[name])
            return _fill_model(archive, members, checks, config, (input_dim, num_classes), package)


def _check_regular(handle) -> None:
    info = os.fstat(handle.fileno())
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError("it is not a regular file")
    if info.st_size > MAX_MODEL_BYTES:
        raise ModelFileError(f"it is {info.st_size >> 20} MiB, more than the {MAX_MODEL_BYTES >> 20} MiB allowed")


def _check_central_directory(handle) -> None:
    """Bound the central directory before zipfile reads it, as zipfile finds it (the last end
    record in the file's tail): zipfile builds an object for each of its entries."""
    size = os.fstat(handle.fileno()).st_size
    tail_bytes = min(size, END_RECORD.size + 0xFFFF + ZIP64_LOCATOR_BYTES)
    handle.seek(size - tail_bytes)
    tail = handle.read(tail_bytes)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < END_RECORD.size:
        raise ModelFileError("it is not a complete npz (zip) file; save it again with the graded cell")
    _, _, _, _, entries, directory_bytes, _, _ = END_RECORD.unpack_from(tail, at)
    if tail[max(at - ZIP64_LOCATOR_BYTES, 0):at].startswith(b"PK\x06\x07"):
        raise ModelFileError("it uses zip64 end records, which a model file of this size never needs")
    if entries > MAX_MEMBERS or directory_bytes > CENTRAL_DIRECTORY_BYTES:
        raise ModelFileError(f"it has {entries} members in a {directory_bytes:,}-byte directory; a model has "
                             f"at most {MAX_MEMBERS} in {CENTRAL_DIRECTORY_BYTES:,} bytes")


def _open_zip(handle) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ModelFileError("it is not a complete npz (zip) file; save it again with the graded cell") from None


def _table_of_contents(archive) -> dict:
    """{member name without .npy: ZipInfo}, checked before any member is opened."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"it has {len(infos)} members; a model has at most {MAX_MEMBERS}")
    members = {}
    for info in infos:
        name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if not MEMBER_NAME.fullmatch(name) or name in members:
            raise ModelFileError(f"it holds an unexpected or repeated member {info.filename[:60]!r}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise ModelFileError(f"its member {name} is encrypted or uses an unsupported compression")
        if info.file_size > MAX_MEMBER_BYTES:
            raise ModelFileError(f"its member {name} declares {info.file_size:,} bytes uncompressed, "
                                 f"more than the {MAX_MEMBER_BYTES:,} allowed")
        members[name] = info
    return members


def _header(stream, name):
    """(shape, fortran_order, dtype) from the .npy header at the start of a member's stream."""
    try:
        version = npy.read_magic(stream)
        reader = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}.get(version)
        if reader is None:
            raise ValueError(f"version {version}")
        return reader(stream, max_header_size=MAX_NPY_HEADER)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"its member {name} has no valid .npy header ({str(exc)[:80]})") from None


def _check_size(info, name, header_bytes, shape, dtype) -> None:
    """The zip must declare exactly the header's bytes plus the data the header describes."""
    needed = header_bytes + math.prod(shape) * dtype.itemsize
    if info.file_size != needed:
        raise ModelFileError(f"its member {name} declares {info.file_size:,} bytes uncompressed, but its "
                             f"header {shape} {dtype.str} needs {needed:,}")


def _read_exactly(stream, info, name, shape, dtype, fortran) -> np.ndarray:
    """The member's array, read in chunks into a buffer of the declared size; the data must end there."""
    _check_size(info, name, stream.tell(), shape, dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    buffer, done = bytearray(nbytes), 0
    try:
        while done < nbytes:
            chunk = stream.read(min(READ_CHUNK, nbytes - done))
            if not chunk:
                break
            buffer[done:done + len(chunk)] = chunk
            done += len(chunk)
        extra = stream.read(1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ModelFileError(f"its member {name} is corrupt ({str(exc)[:80]})") from None
    if done != nbytes or extra:
        raise ModelFileError(f"its member {name} does not hold the {nbytes:,} bytes of data its header promises")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _read_member(archive, info, name, check=None) -> np.ndarray:
    with archive.open(info) as stream:
        shape, fortran, dtype = _header(stream, name)
        if check:
            check(shape, dtype)
        return _read_exactly(stream, info, name, shape, dtype, fortran)


def _read_config(archive, info, package) -> dict:
    if info is None:
        raise ModelFileError("it has no config member; save it with the graded cell (save_model)")

    def check(shape, dtype):
        if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * MAX_CONFIG_CHARS:
            raise ModelFileError(f"its config is {dtype.str} of shape {shape}, not one string of at most "
                                 f"{MAX_CONFIG_CHARS} characters")

    text = str(_read_member(archive, info, "config", check)[()])
    try:
        config = json.loads(text)
    except ValueError:
        raise ModelFileError("its config is not valid JSON") from None
    check_config(config, package)
    return config


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_config(config, package) -> None:
    """ModelFileError unless config has save_model's keys with values the reference model accepts."""
    from importlib import import_module

    if not isinstance(config, dict) or sorted(config) != sorted(CONFIG_KEYS):
        keys = [key[:20] for key in sorted(config)[:8]] if isinstance(config, dict) else type(config).__name__
        raise ModelFileError(f"its config has keys {keys}, not {list(CONFIG_KEYS)}")
    hidden = config["hidden_dims"]
    if (not isinstance(hidden, list) or len(hidden) > MAX_HIDDEN_LAYERS
            or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in hidden)):
        raise ModelFileError(f"its config's hidden_dims {str(hidden)[:60]} is not a list of at most "
                             f"{MAX_HIDDEN_LAYERS} positive integers")
    activations = import_module(f"{package.__name__}.layer_utils").ACTIVATIONS
    normalizations = import_module(f"{package.__name__}.model").NORMALIZATIONS
    activation, normalization = config["activation"], config["normalization"]
    keep_prob, reg = config["keep_prob"], config["reg"]
    valid = {"activation": isinstance(activation, str) and activation in activations,
             "normalization": normalization is None or (isinstance(normalization, str)
                                                        and normalization in normalizations),
             "keep_prob": _number(keep_prob) and 0 < keep_prob <= 1,
             "reg": _number(reg) and reg >= 0,
             "dtype": config["dtype"] in CONFIG_DTYPES}
    bad = [f"{key} {str(config[key])[:40]!r}" for key, ok in valid.items() if not ok]
    if bad:
        raise ModelFileError(f"its config has an invalid {', '.join(bad)}")


def architecture(config, input_dim: int, num_classes: int) -> tuple[dict, dict]:
    """(required, optional): member name -> shape, for the network the config describes.

    Required: param/W{i} (M_{i-1}, M_i), param/b{i} (M_i,), and with normalization param/gamma{i}
    and param/beta{i} (M_i,) for hidden layers; optional: batchnorm's bn/{i-1}/running_mean and
    running_var (M_i,), absent when the model never trained. ModelFileError beyond MAX_PARAMETERS.
    """
    dims = [input_dim, *config["hidden_dims"], num_classes]
    required, optional = {}, {}
    for i in range(1, len(dims)):
        required[f"param/W{i}"], required[f"param/b{i}"] = (dims[i - 1], dims[i]), (dims[i],)
        if config["normalization"] and i < len(dims) - 1:
            required[f"param/gamma{i}"] = required[f"param/beta{i}"] = (dims[i],)
        if config["normalization"] == "batchnorm" and i < len(dims) - 1:
            optional[f"bn/{i - 1}/running_mean"] = optional[f"bn/{i - 1}/running_var"] = (dims[i],)
    count = sum(math.prod(shape) for shape in required.values())
    if count > MAX_PARAMETERS:
        raise ModelFileError(f"its config's hidden_dims {config['hidden_dims']} make {count:,} parameters, "
                             f"more than the {MAX_PARAMETERS:,} allowed")
    return required, optional


def _check_names(members, required, optional) -> None:
    missing = sorted(set(required) - set(members))
    unexpected = sorted(set(members) - set(required) - set(optional))
    if missing or unexpected:
        raise ModelFileError(f"its members do not match the architecture in its config (missing "
                             f"{missing[:4] or 'none'}, unexpected {unexpected[:4] or 'none'})")


def _array_check(name, want):
    """The check a parameter's header must pass: a float32 or float64 array of shape `want`."""
    def check(shape, dtype):
        if dtype not in FLOAT_DTYPES:
            raise ModelFileError(f"its member {name} has dtype {dtype.str}, not float32 or float64")
        if shape != want:
            raise ModelFileError(f"{name} declares shape {shape}, the architecture in its config needs {want}")
    return check


def _check_header(archive, info, name, check) -> None:
    """Read one member's .npy header, not its data, and check it and the size the zip declares."""
    with archive.open(info) as stream:
        shape, _, dtype = _header(stream, name)
        check(shape, dtype)
        _check_size(info, name, stream.tell(), shape, dtype)


def _fill_model(archive, members, checks, config, dims, package):
    """The reference model for config (dims: input_dim, num_classes), each parameter replaced by the
    saved one as it is read (checked again: the headers must not have changed since the first pass)."""
    from importlib import import_module

    model = import_module(f"{package.__name__}.model").FullyConnectedNet(
        config["hidden_dims"], *dims, activation=config["activation"],
        normalization=config["normalization"], keep_prob=config["keep_prob"], reg=config["reg"],
        dtype=np.dtype(config["dtype"]), seed=0)
    for name, info in members.items():
        kind, key = name.split("/", 1)
        if kind == "param":
            del model.params[key]  # free the initial values before the saved ones are read
            model.params[key] = _read_member(archive, info, name, checks[name])
        else:
            array = _read_member(archive, info, name, checks[name])
            layer, stat_name = key.split("/")
            model.bn_params[int(layer)][stat_name] = array
    return model
