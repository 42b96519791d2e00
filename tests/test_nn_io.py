"""nn.save / nn.load: lossless round trips for any string key and the numeric dtypes, and
files that are hostile (pickles, zip bombs, lying headers, FIFOs) refused with nn.io.LoadError.

The helpers `zip_bytes`, `npy_bytes`, `deflate_zeros` and `load_within` write archives field
by field (so that sizes can lie) and are shared with test_nn_io_fuzz.py."""
from __future__ import annotations

import json
import os
import pickle
import struct
import tempfile
import threading
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import autograd
import nn
from nn.io import LoadError

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")


# -------------------------------------------------------------------------------- helpers
def npy_bytes(header: str, data: bytes = b"", version: int = 1) -> bytes:
    """An .npy file of `header` (the dict's text, written as is) and `data`."""
    text = header.encode("latin1")
    size = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + size + text + data


def zip_bytes(members: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip archive of (name, method, data as stored, crc32, declared size) members, with
    nothing checked: a test can make any size or CRC lie."""
    body, directory = bytearray(), bytearray()
    for name, method, data, crc, size in members:
        raw = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                            len(data), size, len(raw), 0) + raw + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21,
                                 crc, len(data), size, len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(directory), len(body), 0)
    return bytes(body + directory + end)


def stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
    """An honest uncompressed member for `zip_bytes`."""
    return (name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))


def deflate_zeros(head: bytes, mib: int) -> tuple[bytes, int]:
    """(raw deflate stream, crc32) of `head` followed by `mib` MiB of zeros, built from one
    compressed MiB repeated (a full flush makes each MiB compress to the same bytes): a zip
    bomb of ~1 kB per MiB, made in a moment."""
    zeros = bytes(2**20)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)
    block = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    assert z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH) == block
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return start + block * mib + z.flush(), crc


def load_within(path: Any, seconds: float = 1.0, **kw: Any) -> tuple[str, Any]:
    """("loaded", state dict) or ("raised", exception) from nn.load(path) run in a thread; a
    load still blocked after `seconds` fails the test (after unblocking a FIFO it waits on)."""
    result: list[tuple[str, Any]] = []

    def run() -> None:
        try:
            result.append(("loaded", nn.load(path, **kw)))
        except BaseException as e:              # reported to the test below
            result.append(("raised", e))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        try:                                    # a reader blocked on a FIFO: let it go
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        thread.join(5)
        pytest.fail(f"nn.load({str(path)!r}) was still blocked after {seconds} s")
    return result[0]


def refusal(path: Any, **kw: Any) -> str:
    """The message of the LoadError that nn.load(path) raises (any other outcome fails)."""
    with pytest.raises(LoadError) as e:
        nn.load(path, **kw)
    message = str(e.value)
    assert str(path) in message, message
    return message


def assert_same(loaded: Any, saved: dict) -> None:
    """`loaded` holds exactly `saved`: keys in order, dtypes, shapes and every bit."""
    assert list(loaded) == list(saved)
    for key, value in saved.items():
        want = np.asarray(value.numpy() if isinstance(value, autograd.Tensor) else value)
        got = loaded[key]
        assert isinstance(got, autograd.Tensor)
        got = got.numpy()
        assert got.dtype.str == want.dtype.str, key
        assert got.shape == want.shape, key
        assert got.tobytes() == want.tobytes(), key


# ----------------------------------------------------------------------- round trips
def test_round_trip_keeps_names_order_and_values(tmp_path):
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    path = tmp_path / "model.pt"                 # any name: nothing is appended to it
    nn.save(net.state_dict(), path)
    assert path.exists()
    loaded = nn.load(path)
    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    other.load_state_dict(loaded)
    x = autograd.randn(4, 2)
    np.testing.assert_array_equal(net(x).data, other(x).data)


SPECIAL_KEYS = ["a", "a.npy", "x.npy", "x", "file", "allow_pickle", "fix_imports", "", ".",
                "..", "a/b", "/abs", "a\\b", "../up", "0.weight", "üñï©ødé", "日本語", "🙂",
                "\ud800", "\x00", "line\nbreak", '"quoted"', "manifest.jsonl", "arr_0.npy",
                "arr_0", "k" * 3000]
DTYPES = (hnp.boolean_dtypes() | hnp.integer_dtypes(endianness="?")
          | hnp.unsigned_integer_dtypes(endianness="?")
          | hnp.floating_dtypes(sizes=(16, 32, 64), endianness="?"))
QUIET_NAN = np.array([0x7FF8000000000001, 0xFFF0000000000123], dtype=np.uint64)
SPECIAL_ARRAYS = [np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324]),
                  QUIET_NAN.view(np.float64),              # NaN payloads, one signalling
                  np.array(-0.0, dtype=np.float16), np.zeros((0, 3), dtype=np.int8),
                  np.arange(12, dtype=">i4").reshape(3, 4).T, np.array(True)]


def _view(arr: np.ndarray, how: str) -> Any:
    if how == "strided" and arr.ndim:
        return arr[::2]
    if how == "transposed":
        return arr.T                            # Fortran order for 2-d
    if how == "reversed" and arr.ndim:
        return arr[..., ::-1]
    if how == "tensor":
        return autograd.from_numpy(arr)
    return arr


values = st.builds(_view,
                   hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                        max_side=4))
                   | st.sampled_from(SPECIAL_ARRAYS),
                   st.sampled_from(["as is", "strided", "transposed", "reversed", "tensor"]))
keys = st.sampled_from(SPECIAL_KEYS) | st.text(max_size=30) | st.text(min_size=200,
                                                                      max_size=400)
state_dicts = st.lists(st.tuples(keys, values), max_size=6, unique_by=lambda kv: kv[0]).map(
    dict)


@given(state_dicts)
@example({"a": np.arange(3.0), "a.npy": np.ones(2)})
@example({"x.npy": np.arange(3.0), "x": np.ones(2)})
@example({"file": np.ones(1), "allow_pickle": np.zeros(2)})
@example({})
def test_save_load_round_trip_is_exact(state):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "state.npz"
        nn.save(state, path)
        assert_same(nn.load(path), state)


@pytest.mark.parametrize("keys", [["a", "a.npy"], ["a.npy", "a"], ["x.npy", "x"],
                                  ["allow_pickle"], ["file"], ["file", "allow_pickle", "a"]])
def test_keys_that_numpy_savez_would_mangle_round_trip(tmp_path, keys):
    state = {k: np.full(i + 1, float(i)) for i, k in enumerate(keys)}
    nn.save(state, tmp_path / "m.npz")
    assert_same(nn.load(tmp_path / "m.npz"), state)


def test_dtypes_are_kept_exactly(tmp_path):
    state = {"u8": np.arange(5, dtype=np.uint8), "i32": np.arange(4, dtype=np.int32),
             "bool": np.array([True, False]), "f16": np.array([1.5, -0.0], np.float16),
             "big": np.arange(3, dtype=">f8"), "u64": np.array([2**64 - 1], np.uint64),
             "t": autograd.from_numpy(np.arange(6, dtype=np.int16).reshape(2, 3))}
    nn.save(state, tmp_path / "d.npz")
    loaded = nn.load(tmp_path / "d.npz")
    assert_same(loaded, state)
    assert loaded["u8"].dtype == np.uint8 and loaded["bool"].dtype == np.bool_
    loaded["i32"].data[0] = 7                   # a fresh, writable array
    assert loaded["i32"].data[0] == 7


def test_the_file_is_the_documented_zip_with_a_manifest(tmp_path):
    state = {"a.npy": np.ones(2), "a": np.arange(3)}
    nn.save(state, tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        assert z.namelist() == ["manifest.jsonl", "arr_0.npy", "arr_1.npy"]
        lines = z.read("manifest.jsonl").decode("ascii").splitlines()
    assert json.loads(lines[0]) == {"format": "chalkgrad.state_dict", "version": 1, "count": 2}
    assert [json.loads(line) for line in lines[1:]] == [["arr_0.npy", "a.npy"],
                                                        ["arr_1.npy", "a"]]
    with np.load(tmp_path / "m.npz", allow_pickle=False) as plain:   # numpy reads it too
        np.testing.assert_array_equal(plain["arr_1"], np.arange(3))


def test_plain_npz_from_numpy_still_loads(tmp_path):
    arrays = {"0.weight": np.eye(2, dtype=np.float32), "0.bias": np.zeros(2, np.float32),
              "steps": np.array(3, np.int64), "mask": np.array([True, False])}
    for write in (np.savez, np.savez_compressed):
        path = tmp_path / f"{write.__name__}.npz"
        write(path, **arrays)
        assert_same(nn.load(path), arrays)
    np.savez(tmp_path / "empty.npz")
    assert nn.load(tmp_path / "empty.npz") == {}


def test_save_refuses_non_numeric_values(tmp_path):
    with pytest.raises(TypeError, match="'name'"):
        nn.save({"name": np.array(["a"])}, tmp_path / "x.npz")


@pytest.mark.parametrize("value, dtype", [(np.array(["a"]), "<U1"), (np.array([1j]), "complex"),
                                          (np.array([None]), "object"),
                                          (np.zeros(1, "i4,f8"), "i4"),
                                          (np.array([1], "M8[s]"), "datetime")])
def test_save_refuses_other_dtypes_naming_key_and_dtype(tmp_path, value, dtype):
    with pytest.raises(TypeError, match=rf"'w'.*{dtype}"):
        nn.save({"ok": np.ones(1), "w": value}, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()            # refused before the file is written


@pytest.mark.skipif(np.dtype(np.longdouble).itemsize in (2, 4, 8), reason="longdouble is f8")
def test_save_refuses_longdouble(tmp_path):
    with pytest.raises(TypeError, match="'w'"):
        nn.save({"w": np.ones(2, np.longdouble)}, tmp_path / "x.npz")


@pytest.mark.parametrize("key", [1, 2.5, None, ("a",), b"bytes"])
def test_non_string_keys_are_refused_naming_the_key(tmp_path, key):
    with pytest.raises(TypeError, match=f"key {key!r}".replace("(", r"\(").replace(")", r"\)")):
        nn.save({"fine": np.ones(1), key: np.ones(1)}, tmp_path / "x.npz")


# ---------------------------------------------------------------- refusals (LoadError)
def test_load_error_is_a_value_error():
    assert issubclass(LoadError, ValueError)


def test_a_pickled_object_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))    # would create a file when unpickled

    path = tmp_path / "evil.npz"
    np.savez(path, bias=np.zeros(2), weight=np.array([Payload()], dtype=object))
    with pytest.raises(LoadError, match=r"evil.npz.*'weight'.*pickle"):
        nn.load(path)
    assert not marker.exists()
    whole = tmp_path / "model.pkl"              # a whole pickled file is refused unread too
    whole.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(LoadError, match=r"model.pkl.*pickle"):
        nn.load(whole)
    assert not marker.exists()


def test_truncated_and_foreign_files_are_clear_errors(tmp_path):
    good = tmp_path / "good.npz"
    nn.save({"w": autograd.ones(100)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:60])
    text = tmp_path / "notes.txt"
    text.write_text("these are not weights\n")
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    foreign_zip = tmp_path / "other.zip"        # a zip whose member is not a numpy array
    with zipfile.ZipFile(foreign_zip, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x04N.")
    expected = {truncated: "truncated", text: "another format", single: "single .npy",
                foreign_zip: "not a numpy array"}
    for path, why in expected.items():
        with pytest.raises(LoadError, match="nn.load") as e:
            nn.load(path)
        assert path.name in str(e.value) and why in str(e.value)
        assert ("pickle" in str(e.value)) == (path == foreign_zip)    # its member is one
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path):
    """1 MB on disk, 1 GiB of zeros inside: the old load took 1.85 GB of memory."""
    head = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (134217728,), }\n")
    stream, crc = deflate_zeros(head, 1024)
    path = tmp_path / "bomb.npz"
    path.write_bytes(zip_bytes([("w.npy", zipfile.ZIP_DEFLATED, stream, crc,
                                 len(head) + 2**30)]))
    assert path.stat().st_size < 2 * 2**20
    tracemalloc.start()
    start = time.perf_counter()
    try:
        message = refusal(path)
        took = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"'w.npy' that declares {len(head) + 2**30} bytes" in message
    assert f"max_bytes={2**30}" in message and "pickle" not in message
    assert peak < 4 * 2**20 and took < 1.0, (peak, took)


def test_a_member_inflating_beyond_its_declared_size_is_cut_off(tmp_path):
    """The zip header says 928 bytes (100 float64) and its CRC is theirs, but the stream
    inflates to 64 MiB: the load stops at the declared size and refuses."""
    head = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }\n")
    stream, _ = deflate_zeros(head, 64)
    declared = len(head) + 800
    crc = zlib.crc32(bytes(800), zlib.crc32(head))
    path = tmp_path / "liar.npz"
    path.write_bytes(zip_bytes([("w.npy", zipfile.ZIP_DEFLATED, stream, crc, declared)]))
    tracemalloc.start()
    try:
        message = refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "inflates beyond" in message and "'w.npy'" in message
    assert peak < 4 * 2**20, peak


def test_max_bytes_bounds_each_member_and_the_total_and_can_be_raised(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"big": np.zeros(1000), "small": np.zeros(10)}, path)     # 8 kB + 80 B
    message = refusal(path, max_bytes=4000)
    assert "'arr_0.npy'" in message and "max_bytes=4000" in message
    assert "pickle" not in message
    assert_same(nn.load(path, max_bytes=10_000), {"big": np.zeros(1000), "small": np.zeros(10)})
    many = tmp_path / "many.npz"
    nn.save({str(i): np.zeros(100) for i in range(10)}, many)       # 10 x 928 bytes
    message = refusal(many, max_bytes=5000)
    assert "in its 11 members together" in message and "max_bytes=5000" in message
    for bad, error in (("5", TypeError), (True, TypeError), (-1, ValueError)):
        with pytest.raises(error):
            nn.load(path, max_bytes=bad)


def test_a_header_claiming_a_trillion_elements_is_refused(tmp_path):
    """The old load raised MemoryError."""
    head = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }\n")
    path = tmp_path / "liar.npz"
    path.write_bytes(zip_bytes([stored("w.npy", head + bytes(64))]))
    message = refusal(path)
    assert "8000000000000 bytes" in message and f"max_bytes={2**30}" in message
    assert "(1000000000000,)" in message and "'w.npy'" in message
    message = refusal(path, max_bytes=10**13)               # allowed, but not in the file
    assert "holds 64 bytes of data but its header" in message


def test_headers_that_lie_about_size_are_refused(tmp_path):
    for shape, data in (("(10,)", bytes(40)), ("(0, 4611686018427387904)", b""),
                        ("(2, 2)", bytes(40))):
        head = npy_bytes(f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n")
        path = tmp_path / "liar.npz"
        path.write_bytes(zip_bytes([stored("w.npy", head + data)]))
        message = refusal(path)
        assert "'w.npy'" in message and "pickle" not in message


def test_a_200_kb_header_is_a_bad_header_not_a_pickle(tmp_path):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 200_000
    path = tmp_path / "long.npz"
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(header, bytes(8), version=2))]))
    message = refusal(path)
    assert "header" in message and "65536" in message and "pickle" not in message


def test_an_object_header_is_called_pickle_only_with_pickled_data(tmp_path):
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }\n"
    path = tmp_path / "objects.npz"
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(header, bytes(24)))]))
    message = refusal(path)
    assert "'|O'" in message and "pickle" not in message
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(header))]))     # no data at all
    assert "pickle" not in refusal(path)
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(header, pickle.dumps([1, 2, 3])))]))
    assert "pickle" in refusal(path)


@pytest.mark.parametrize("header, why", [
    ("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", "unsupported dtype"),
    ("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", "unsupported dtype"),
    ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", "unsupported dtype"),
    ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", "fortran_order"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "shape"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }", "shape"),
    ("{'descr': '<f8', 'fortran_order': False}", "keys"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", "keys"),
    ("__import__('os').system('echo hi')", "not a Python literal"),
    ("[" * 300 + "]" * 300, "not a Python literal"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", "not a Python literal"),
])
def test_bad_npy_headers_are_refused(tmp_path, header, why):
    path = tmp_path / "bad.npz"
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(header, bytes(16)))]))
    message = refusal(path)
    assert why in message and "'w.npy'" in message and "pickle" not in message


def test_damaged_zip_structures_are_refused(tmp_path):
    good = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", bytes(16))
    path = tmp_path / "z.npz"
    cases = {
        "duplicate member": [stored("w.npy", good), stored("w.npy", good)],
        "duplicate key": [stored("w", good), stored("w.npy", good)],
        "encrypted": [("w.npy", 0, good, zlib.crc32(good), len(good))],     # flag set below
        "compression method 12": [("w.npy", zipfile.ZIP_BZIP2, good, 0, len(good))],
        "CRC-32": [("w.npy", 0, good, zlib.crc32(good) ^ 1, len(good))],
        "wrong magic": [stored("w.npy", b"\x93NUMPX" + good[6:])],
        "version 9.0": [stored("w.npy", good[:6] + b"\x09\x00" + good[8:])],
    }
    for why, members in cases.items():
        data = bytearray(zip_bytes(members))
        if why == "encrypted":                    # general purpose flag, both headers
            data[6] |= 1
            data[data.index(b"PK\x01\x02") + 8] |= 1
        path.write_bytes(bytes(data))
        message = refusal(path)
        assert why in message and "pickle" not in message, message


@pytest.mark.parametrize("manifest, why", [
    (b"not json\n[\"arr_0.npy\", \"w\"]\n", "not JSON"),
    (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 1}\n', "lines"),
    (b'{"format": "other", "version": 1, "count": 1}\n["arr_0.npy", "w"]\n', "header"),
    (b'{"format": "chalkgrad.state_dict", "version": 2, "count": 1}\n["arr_0.npy", "w"]\n',
     "newer"),
    (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 2}\n["arr_0.npy", "w"]\n',
     "counts 2"),
    (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 1}\n["arr_9.npy", "w"]\n',
     "not in the archive"),
    (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 1}\n["arr_0.npy", 3]\n',
     "pair of strings"),
    (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 1}\n' + b"[" * 100_000 + b"\n",
     "not JSON"),
])
def test_bad_manifests_are_refused(tmp_path, manifest, why):
    good = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", bytes(16))
    path = tmp_path / "m.npz"
    path.write_bytes(zip_bytes([stored("manifest.jsonl", manifest), stored("arr_0.npy", good)]))
    message = refusal(path)
    assert "manifest" in message and why in message, message


def test_a_manifest_listing_a_member_twice_is_refused(tmp_path):
    good = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", bytes(16))
    manifest = (b'{"format": "chalkgrad.state_dict", "version": 1, "count": 2}\n'
                b'["arr_0.npy", "a"]\n["arr_0.npy", "b"]\n')
    path = tmp_path / "m.npz"
    path.write_bytes(zip_bytes([stored("manifest.jsonl", manifest), stored("arr_0.npy", good),
                                stored("arr_1.npy", good)]))
    assert "listed twice" in refusal(path)


def test_an_empty_file_and_a_short_zip_prefix_are_refused(tmp_path):
    path = tmp_path / "e.npz"
    path.write_bytes(b"")
    assert "empty" in refusal(path)
    path.write_bytes(b"PK\x03")
    assert "truncated" in refusal(path)


# ---------------------------------------------------------------- what kind of file
@posix_only
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path):
    """The old load blocked forever on a FIFO that nobody writes to."""
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    outcome, value = load_within(fifo)
    assert outcome == "raised" and isinstance(value, LoadError), value
    assert "pipe.npz" in str(value) and "FIFO" in str(value)
    link = tmp_path / "link-to-pipe.npz"                # a symlink to it: the same refusal
    link.symlink_to(fifo)
    outcome, value = load_within(link)
    assert outcome == "raised" and isinstance(value, LoadError) and "FIFO" in str(value), value


@posix_only
def test_symlinks_directories_and_devices(tmp_path):
    real = tmp_path / "real.npz"
    nn.save({"w": np.arange(3.0)}, real)
    link = tmp_path / "link.npz"
    link.symlink_to(real)
    assert_same(nn.load(link), {"w": np.arange(3.0)})    # a symlink to a regular file loads
    assert "directory" in refusal(tmp_path)
    if os.path.exists("/dev/null"):
        assert "character device" in refusal("/dev/null")
    loop = tmp_path / "loop.npz"
    loop.symlink_to(loop)
    assert "loop of symbolic links" in refusal(loop)
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "nowhere.npz")
    with pytest.raises(FileNotFoundError):
        nn.load(dangling)


def test_load_accepts_str_and_pathlike(tmp_path):
    nn.save({"w": np.ones(2)}, str(tmp_path / "s.npz"))
    assert_same(nn.load(str(tmp_path / "s.npz")), {"w": np.ones(2)})
