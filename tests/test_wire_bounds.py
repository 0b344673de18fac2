"""Replies from the sandbox are read with size and structure limits (grader/sandbox/inside/wire.py): a reply over
a limit is refused from its length fields and headers, before anything is built, and one within
the limits costs about its own size to decode."""
import io
import json
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from grader.sandbox.inside import wire


def frame(head: bytes, blobs=()) -> bytes:
    """A frame as a rewritten worker could send it, limits ignored."""
    out = struct.pack("<QI", len(head), len(blobs)) + head
    return out + b"".join(struct.pack("<Q", len(b)) + b for b in blobs)


def npy_header(shape, descr="<f8") -> bytes:
    """The .npy record of an array of `shape` without its data (the header NumPy writes)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def refused(data: bytes, match: str):
    with pytest.raises(wire.WireError, match=match) as info:
        wire.read_message(io.BytesIO(data))
    assert "\n" not in str(info.value)


def test_values_within_the_limits_cross_unchanged():
    value = {"ok": True, "result": (np.arange(6.0).reshape(2, 3).T, np.float32(2), [1, 2.5, None, "s"],
                                    np.zeros((0, 3), np.int8)), "states": [[0, {"m": np.ones(3, bool)}]]}
    buffer = io.BytesIO()
    wire.write_message(buffer, value)
    wire.write_message(buffer, value)
    buffer.seek(0)
    for _ in range(2):  # two frames in one stream, each read in place
        back = wire.read_message(buffer)
        x = back["result"][0]
        assert np.array_equal(x, value["result"][0]) and x.flags.f_contiguous and x.flags.writeable
        assert type(back["result"][1]) is np.float32 and back["result"][2] == [1, 2.5, None, "s"]
        assert back["result"][3].shape == (0, 3) and back["states"][0][1]["m"].dtype == bool


def test_encode_names_what_is_too_large():
    with pytest.raises(wire.WireError, match="what f returned holds more than 16777216 array elements"):
        wire.validate(np.zeros(wire.MAX_ELEMENTS + 1, np.int8), "what f returned")
    with pytest.raises(wire.WireError, match="holds more than 65536 values"):
        wire.validate([0.5] * (wire.MAX_NODES + 1), "what f returned")
    with pytest.raises(wire.WireError, match="holds more than 4096 arrays"):
        wire.validate([np.float64(1)] * (wire.MAX_ARRAYS + 1), "what f returned")
    big = np.zeros(1 << 20, complex)  # 16 MiB
    with pytest.raises(wire.WireError, match="bytes of arrays"):  # one array named many times counts each time
        wire.validate([big] * 9, "what f returned")


def test_length_fields_over_the_limits_are_refused_before_the_rest_arrives():
    for head_len, n_blobs, match in ((wire.MAX_HEADER_BYTES + 1, 0, "description takes"),
                                     (10, wire.MAX_ARRAYS + 1, "4097 arrays")):
        with pytest.raises(wire.WireError, match=match):
            wire.frame_length(struct.pack("<QI", head_len, n_blobs))
    start = struct.pack("<QI", 2, 1) + b"{}" + struct.pack("<Q", wire.MAX_FRAME_BYTES)
    with pytest.raises(wire.WireError, match="larger than a message may be"):
        wire.frame_length(start)  # the blob's length alone, none of its bytes


TREES = {"brackets": (b"[" * 300_000 + b"]" * 300_000, "more than 65536 values"),
         "long list": (b'{"l":[' + b"0," * 70_000 + b"0]}", "more than 65536 values"),
         "41 levels": (b'{"l":[' * 41 + b"0" + b"]}" * 41, "nested more than 40 levels"),
         "20000 levels": (b'{"t":[' * 20_000 + b"0" + b"]}" * 20_000, "nested more than 40 levels")}


@pytest.mark.parametrize("name", TREES)
def test_trees_too_deep_or_too_large_are_refused(name):
    refused(frame(TREES[name][0]), TREES[name][1])


def test_the_reader_accepts_what_the_writer_may_send():
    deepest = 0.5
    for _ in range(wire.MAX_DEPTH):
        deepest = [deepest]
    widest = [0.5] * (wire.MAX_NODES - 1)
    for value in (deepest, widest):
        buffer = io.BytesIO()
        wire.write_message(buffer, value)
        assert wire.read_message(io.BytesIO(buffer.getvalue())) == value


def test_array_sizes_come_from_headers_and_must_match_the_data():
    refused(frame(b'{"a":0}', [npy_header((1 << 40,))]), "not those of shape")
    refused(frame(b'{"a":0}', [npy_header((3,)) + bytes(8)]), "not those of shape")
    refused(frame(b'{"a":0}', [npy_header((-1,))]), "not valid")
    refused(frame(b'{"a":0}', [npy_header((1,), "|O") + bytes(8)]), "may not cross")
    refused(frame(b'{"a":0}', [npy_header((), "<f8")[:20]]), "not a valid .npy record")
    small = npy_header((1 << 20,), "<c16") + bytes(16 << 20)  # 16 MiB, named 9 times: 144 MiB of copies
    refused(frame(json.dumps({"l": [{"a": 0}] * 9}).encode(), [small]), "bytes of arrays")


def test_huge_claims_are_refused_without_building_them():
    import tracemalloc

    claims = [frame(b'{"a":0}', [npy_header((1 << 24, 1 << 24))]),
              frame(json.dumps({"l": [{"a": 0}] * 4000}).encode(), [npy_header((1 << 20,)) + bytes(8 << 20)]),
              frame(b'{"l":[' + b'{"f":"0x1p+0"},' * 300_000 + b"null]}")]
    for data in claims:
        tracemalloc.start()
        with pytest.raises(wire.WireError):
            wire.read_message(io.BytesIO(data))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < max(len(data), 1 << 20) + (1 << 20), peak  # at most a copy of the header, never the values


READ_ONE_REPLY = textwrap.dedent("""
    import resource, subprocess, sys, time
    from grader.sandbox import host as sandbox
    from grader.sandbox.inside import wire
    writer = "import sys, numpy as np; from grader.sandbox.inside import wire; wire.write_message(sys.stdout.buffer, " + \\
             "{'ok': True, 'result': np.ones(%d), 'states': [], 'changed': []})" % (int(sys.argv[1]) // 8)
    proc = subprocess.Popen([sys.executable, "-c", writer], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reply = wire.read_message(__import__("io").BytesIO(sandbox._pump(proc, b"", time.monotonic() + 300, 1 << 30)))
    assert reply["result"].size == int(sys.argv[1]) // 8
    proc.wait()
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
""")


def test_a_50_mb_reply_costs_at_most_three_times_its_size(root):
    """The trusted side's path: the frame read from the worker's pipe, then decoded."""
    size = 50 << 20
    done = subprocess.run([sys.executable, "-c", READ_ONE_REPLY, str(size)], capture_output=True, text=True,
                          cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) <= 3.2 * size  # the pipe's bytes, one frame and the array; never per element


def test_a_student_function_returning_too_much_is_named(tmp_path):
    from grader.core.errors import CheckFailure
    from grader.sandbox.host import SandboxRunner

    package = tmp_path / "src" / "trainlab"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "huge.py").write_text("import numpy as np\ndef many(x):\n    return [x] * 5000\n"
                                     "def wide(x):\n    return np.zeros((1 << 24) + 1, np.int8)\n")
    with SandboxRunner(tmp_path / "src") as runner:
        for name, words in (("many", "more than 4096 arrays"), ("wide", "more than 16777216 array elements")):
            with pytest.raises(CheckFailure, match=f"{name} returned a value that cannot be graded") as info:
                runner.call(f"huge.{name}", np.ones(2))
            assert words in str(info.value) and "larger than" in str(info.value)
