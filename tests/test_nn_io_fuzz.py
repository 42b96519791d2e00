"""A bounded fuzz of nn.load: truncations, bit flips and random damage of valid archives
(seeded), zip bombs, lying headers, FIFOs, symlinks, directories, devices and hostile .npy
headers. Every outcome must be a load of exactly the saved arrays or nn.io.LoadError
(FileNotFoundError for a missing path): never another exception, never a hang.

`pytest -s tests/test_nn_io_fuzz.py` prints one line counting the files tried and refused."""
from __future__ import annotations

import os
import pickle
import random
import signal
import struct
import threading
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from test_nn_io import assert_same, deflate_zeros, load_within, npy_bytes, stored, zip_bytes

import autograd
import nn
from nn.io import LoadError

SEED = 20240611
STATE = {"0.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
         "0.bias": np.array([-0.0, np.nan, np.inf], dtype=np.float64),
         "steps": np.array(3, dtype=np.int64), "mask": np.array([True, False, True]),
         "ids": np.arange(5, dtype=np.uint8), "a.npy": np.zeros((0, 2), dtype=np.float16)}


class Hang(BaseException):
    """Raised by the watchdog in a test that ran too long (not an OSError, so no `except`
    in nn.load can mistake it for damage)."""


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """Fail (not block) a test of this file that runs over 20 s."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def fire(signum: int, frame: Any) -> None:
        raise Hang("a test of nn.load ran over 20 s: a hang?")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, 20)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Tally:
    """Outcomes of nn.load over every file this module tries."""

    def __init__(self) -> None:
        self.tried = self.loaded = self.refused = self.missing = 0
        self.wrong: list[str] = []
        self.mark = 0                           # wrong outcomes before the current test
        self.start = time.perf_counter()

    def load(self, path: Path, what: str, expect: dict | None = None, **kw: Any) -> str:
        """nn.load(path): "loaded" (the arrays must equal `expect`), "refused" (LoadError) or
        "missing" (FileNotFoundError); anything else is recorded as wrong."""
        self.tried += 1
        try:
            got = nn.load(path, **kw)
        except LoadError as e:
            if str(path) not in str(e):
                self.wrong.append(f"{what}: a LoadError not naming the path: {e}")
            self.refused += 1
            return "refused"
        except FileNotFoundError:
            self.missing += 1
            return "missing"
        except Exception as e:                   # the failure this fuzz looks for
            self.wrong.append(f"{what}: {type(e).__name__}: {str(e)[:200]}")
            return "wrong"
        try:
            assert expect is not None, "loaded a file that should have been refused"
            assert_same(got, expect)
        except AssertionError as e:
            self.wrong.append(f"{what}: loaded, but {e}")
            return "wrong"
        self.loaded += 1
        return "loaded"

    def check(self) -> None:
        """Fail the test if any of its outcomes was wrong, showing a few."""
        wrong = self.wrong[self.mark:]
        assert not wrong, f"{len(wrong)} wrong outcomes, e.g.:\n" + "\n".join(wrong[:10])


@pytest.fixture(scope="module")
def module_tally() -> Iterator[Tally]:
    t = Tally()
    yield t
    print(f"\nnn.load fuzz: {t.tried} files tried: {t.loaded} loaded intact, {t.refused} "
          f"refused with LoadError, {t.missing} missing, {len(t.wrong)} other outcomes "
          f"({time.perf_counter() - t.start:.1f} s)")


@pytest.fixture
def tally(module_tally: Tally) -> Tally:
    """The module's tally, its check() limited to this test's outcomes."""
    module_tally.mark = len(module_tally.wrong)
    return module_tally


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid archives of STATE: nn.save's format, and numpy's own (stored and deflated)."""
    d = tmp_path_factory.mktemp("valid")
    nn.save(STATE, d / "nn.npz")
    np.savez(d / "plain.npz", **STATE)
    np.savez_compressed(d / "compressed.npz", **STATE)
    return {name: (d / f"{name}.npz").read_bytes() for name in ("nn", "plain", "compressed")}


def overwrite(path: Path, data: bytes) -> None:
    """Give `path` the bytes `data`, fast: rewriting in place and truncating takes ~40 us
    where `write_bytes` (open with O_TRUNC) takes ~2 ms on some file systems."""
    with open(path, "r+b" if path.exists() else "wb") as f:
        f.write(data)
        f.truncate()


def test_the_valid_archives_load(tmp_path, tally, archives):
    for name, data in archives.items():
        (tmp_path / "f.npz").write_bytes(data)
        assert tally.load(tmp_path / "f.npz", name, STATE) == "loaded"
    tally.check()


def test_every_truncation_is_refused(tmp_path, tally, archives):
    path = tmp_path / "cut.npz"
    for name, data in archives.items():
        for end in range(len(data)):
            overwrite(path, data[:end])
            outcome = tally.load(path, f"{name} cut at {end}", None)
            assert outcome in ("refused", "wrong"), (name, end, outcome)
    tally.check()


def test_random_damage_loads_intact_or_is_refused(tmp_path, tally, archives):
    rng = random.Random(SEED)
    path = tmp_path / "flipped.npz"
    for name, data in archives.items():
        for i in range(750):
            damaged = bytearray(data)
            if i < 500:                                 # one bit
                pos, bit = rng.randrange(len(data)), rng.randrange(8)
                damaged[pos] ^= 1 << bit
                what = f"{name} bit {bit} of byte {pos}"
            elif i < 650:                               # a few bytes overwritten
                pos = rng.randrange(len(data))
                run = rng.randrange(1, 9)
                damaged[pos:pos + run] = bytes(rng.randrange(256) for _ in range(run))
                what = f"{name} bytes {pos}:{pos + run} overwritten"
            elif i < 700:                               # a byte inserted
                pos = rng.randrange(len(data))
                damaged.insert(pos, rng.randrange(256))
                what = f"{name} byte inserted at {pos}"
            else:                                       # a byte deleted
                pos = rng.randrange(len(data))
                del damaged[pos]
                what = f"{name} byte {pos} deleted"
            overwrite(path, bytes(damaged))
            tally.load(path, what, STATE)
    tally.check()


def test_random_files_are_refused(tmp_path, tally):
    rng = random.Random(SEED + 1)
    path = tmp_path / "random.bin"
    prefixes = [b"", b"PK\x03\x04", b"PK\x05\x06", b"\x93NUMPY\x01\x00", b"\x80\x04"]
    for i in range(300):
        tail = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
        overwrite(path, prefixes[i % len(prefixes)] + tail)
        assert tally.load(path, f"random file {i}", None) in ("refused", "wrong")
    tally.check()


def _peak(run: Any) -> tuple[Any, int, float]:
    """(result, peak traced bytes, seconds) of run()."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


def test_zip_bombs_are_refused_fast_in_little_memory(tmp_path, tally):
    header = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2097152,), }\n")
    bomb = tmp_path / "bomb.npz"                        # 16 MiB of zeros in ~16 kB
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("w.npy", "w") as member:
            member.write(header)
            for _ in range(16):
                member.write(bytes(2**20))
    assert bomb.stat().st_size < 2**17
    outcome, peak, took = _peak(lambda: tally.load(bomb, "16 MiB bomb", None,
                                                   max_bytes=2**20))
    assert outcome == "refused" and peak < 2**20 and took < 1.0, (outcome, peak, took)
    assert tally.load(bomb, "16 MiB bomb allowed", {"w": np.zeros(2**21)},
                      max_bytes=2**25) == "loaded"          # a real bomb: it does inflate
    many = tmp_path / "many.npz"                        # 20 members of 1 MiB: 20 MiB in all
    one = npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1048576,), }\n")
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for i in range(20):
            z.writestr(f"m{i}.npy", one + bytes(2**20))
    outcome, peak, took = _peak(lambda: tally.load(many, "20 x 1 MiB", None,
                                                   max_bytes=8 * 2**20))
    assert outcome == "refused" and peak < 2**20 and took < 1.0, (outcome, peak, took)
    liar = tmp_path / "liar.npz"            # declares 100 float64, inflates to 64 MiB
    head = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }\n")
    stream, _ = deflate_zeros(head, 64)
    crc = zlib.crc32(bytes(800), zlib.crc32(head))
    liar.write_bytes(zip_bytes([("w.npy", zipfile.ZIP_DEFLATED, stream, crc,
                                 len(head) + 800)]))
    outcome, peak, took = _peak(lambda: tally.load(liar, "lying deflate size", None))
    assert outcome == "refused" and peak < 2**20 and took < 1.0, (outcome, peak, took)
    tally.check()


def test_a_central_directory_of_400k_members_is_refused_unparsed(tmp_path, tally):
    data = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", bytes(8))
    single = zip_bytes([stored("w.npy", data)])
    start = single.index(b"PK\x01\x02")
    entry = single[start:single.index(b"PK\x05\x06")]
    directory = entry * 400_000
    end = zipfile.structEndArchive
    path = tmp_path / "wide.npz"
    path.write_bytes(single[:start] + directory + struct.pack(
        end, b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), start, 0))
    outcome, peak, took = _peak(lambda: tally.load(path, "400k directory entries", None))
    assert outcome == "refused" and peak < 2**20 and took < 1.0, (outcome, peak, took)
    tally.check()


@pytest.mark.parametrize("shape", ["(1000000000000,)", "(1000000, 1000000)",
                                   "(0, 4611686018427387904)", "(2,) * 64 + (2,)",
                                   "(18446744073709551616,)", "(3,)"])
def test_headers_that_lie_about_the_shape_are_refused(tmp_path, tally, shape):
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n"
    path = tmp_path / "liar.npz"
    path.write_bytes(zip_bytes([stored("w.npy", npy_bytes(text, bytes(16)))]))
    outcome, peak, took = _peak(lambda: tally.load(path, f"shape {shape}", None))
    assert outcome == "refused" and peak < 2**20 and took < 1.0, (outcome, peak, took)
    tally.check()


def test_hostile_headers_and_whole_files(tmp_path, tally):
    path = tmp_path / "h.npz"
    long_header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 200_000
    objects = "{'descr': '|O', 'fortran_order': False, 'shape': (3,), }\n"
    members = {
        "200 kB header": npy_bytes(long_header, bytes(8), version=2),
        "4 GB header length": b"\x93NUMPY\x02\x00\xff\xff\xff\xff{",
        "|O without pickle": npy_bytes(objects, bytes(24)),
        "|O with nothing": npy_bytes(objects),
        "|O with a pickle": npy_bytes(objects, pickle.dumps([1, 2, 3])),
        "deep nesting": npy_bytes("(" * 5000 + ")" * 5000),
        "unary chain": npy_bytes("-" * 50_000 + "1"),
        "huge int": npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (%s,)}"
                              % ("9" * 5000)),
        "null bytes": npy_bytes("{'descr': '<f8',\x00 'fortran_order': False}"),
        "utf-8 v3 header": npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': ()}\xff",
                                     bytes(8), version=3),
        "pickle as a member": pickle.dumps({"w": 1}),
    }
    for what, member in members.items():
        path.write_bytes(zip_bytes([stored("w.npy", member)]))
        outcome, peak, took = _peak(lambda: tally.load(path, what, None))
        assert outcome == "refused" and peak < 2**20 and took < 1.0, (what, outcome, peak, took)
    for what, data in {"empty file": b"", "pickle file": pickle.dumps(np.ones(3)),
                       "a single .npy": npy_bytes(objects, bytes(24)),
                       "text": b"weights\n"}.items():
        path.write_bytes(data)
        assert tally.load(path, what, None) == "refused", what
    tally.check()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")
def test_fifos_symlinks_directories_and_devices(tmp_path, tally):
    real = tmp_path / "real.npz"
    nn.save({"w": autograd.from_numpy(np.arange(4, dtype=np.int32))}, real)
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    links = {name: tmp_path / f"{name}.link" for name in ("real", "fifo", "dir", "loop",
                                                           "dangling", "chain")}
    links["real"].symlink_to(real)
    links["fifo"].symlink_to(fifo)
    links["dir"].symlink_to(tmp_path)
    links["loop"].symlink_to(links["loop"])
    links["dangling"].symlink_to(tmp_path / "nowhere")
    links["chain"].symlink_to(links["fifo"])
    expected = {real: "loaded", links["real"]: "loaded", fifo: "refused",
                links["fifo"]: "refused", links["chain"]: "refused", tmp_path: "refused",
                links["dir"]: "refused", links["loop"]: "refused",
                links["dangling"]: "missing", tmp_path / "missing.npz": "missing"}
    for device in ("/dev/null", "/dev/zero", "/dev/urandom"):
        if os.path.exists(device):
            expected[Path(device)] = "refused"
    for path, want in expected.items():
        tally.tried += 1
        outcome, value = load_within(path, 1.0)             # a hang fails the test
        if outcome == "loaded":
            assert want == "loaded", path
            assert_same(value, {"w": np.arange(4, dtype=np.int32)})
            tally.loaded += 1
        elif isinstance(value, FileNotFoundError):
            assert want == "missing", path
            tally.missing += 1
        else:
            assert want == "refused" and isinstance(value, LoadError), (path, value)
            assert str(path) in str(value)
            tally.refused += 1
    tally.check()
