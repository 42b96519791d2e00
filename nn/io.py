"""Save and load state dicts as `.npz` archives: lossless for any string key, and safe to
load from an untrusted source (nothing is unpickled, nothing unbounded is read or allocated).

The file format, as `save` writes it, is a zip archive (all members stored uncompressed):

    manifest.jsonl   the first member, ASCII JSON Lines, one value per line:
                       {"format": "chalkgrad.state_dict", "version": 1, "count": N}
                       ["arr_0.npy", KEY_0]        then one [member, key] pair per array,
                       ...                          in the state dict's order
                       ["arr_<N-1>.npy", KEY_<N-1>]
    arr_0.npy ...    one .npy array per key (numpy's format 1.0, 2.0 for a long header)

Members have neutral names, so no key can collide with another key or a zip name, and keys
never pass through numpy's keyword arguments. `numpy.load` reads such a file too (arrays under
`arr_0`, ...). `load` also reads plain `.npz` archives written by `numpy.savez` or
`numpy.savez_compressed` (no manifest): their member names, less `.npy`, are the keys.

A pickle can run any code when it is loaded, so a model file from the internet must never be
unpickled: `load` parses the zip directory, the .npy headers (`ast.literal_eval` on at most
64 KiB of text) and the array bytes itself, checks every declared size against `max_bytes`
before it inflates anything, and refuses whatever is not exactly such an archive with one
error, `LoadError`, naming the path and what is wrong.
"""
from __future__ import annotations

import ast
import errno
import io
import json
import math
import os
import re
import stat
import struct
import warnings
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

import autograd

__all__ = ["save", "load", "LoadError", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 2**30          # `load`'s default bound on the bytes an archive may inflate to
MANIFEST = "manifest.jsonl"
FORMAT = "chalkgrad.state_dict"
VERSION = 1

_ZIP_MAGIC = b"PK\x03\x04"                  # a zip local file header: a zip's first bytes
_END_MAGIC = b"PK\x05\x06"                  # the end record: a zip of no members starts so
_ZIP64_END_MAGIC = b"PK\x06\x06"            # the zip64 end record
_NPY_MAGIC = b"\x93NUMPY"
_PICKLE_PROTO = b"\x80"                     # the first opcode of a pickle (protocol 2 and up)
_MAX_HEADER = 64 * 1024                     # bound on an .npy header's text
_MAX_DIRECTORY = 16 * 2**20                 # bound on the zip central directory's bytes
_MAX_DIMS = 64                              # numpy's own bound on ndim
_CHUNK = 2**20                              # bytes read (or inflated) at a time
_INFLATE_IN = 64 * 1024                     # compressed bytes fed to zlib at a time
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")   # a zip local file header, 30 bytes
_DIRECTORY_ENTRY = 46                       # the fixed part of a central directory entry
_END = struct.Struct("<4s4H2LH")            # the end of central directory record
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")    # the zip64 end of central directory record
_FLAG_ENCRYPTED, _FLAG_PATCHED, _FLAG_STRONG, _FLAG_UTF8 = 0x1, 0x20, 0x40, 0x800
_SAVEABLE = re.compile(r"[<>|=](?:b1|[iu][1248]|f[248])")   # dtype.str of the dtypes kept
_OBJECT = re.compile(r"[<>|=]?O\d*")
_CANONICAL = re.compile(r"\{'descr': '([<>|=][a-zA-Z]\d{1,2})', 'fortran_order': (True|False), "
                        r"'shape': \(([\d, ]{0,1000})\), \} *\n")
_SPACES = str.maketrans("\t\n\r", "   ")
_DIM = re.compile(r"0|[1-9]\d{0,18}")
_MODES = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (a named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))
# What a damaged archive can raise from zipfile, zlib or a read, turned into a LoadError.
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
           struct.error, NotImplementedError, RuntimeError, ValueError, OverflowError,
           UnicodeError, KeyError, IndexError)


class LoadError(ValueError):
    """`nn.load` refused a file: not a regular file, not an .npz archive of numeric arrays,
    truncated or damaged, over the `max_bytes` limit, or in need of pickle. The message names
    the path and says what is wrong; nothing in the file was run."""


# ------------------------------------------------------------------------------------ save
def _short(key: str) -> str:
    """`repr(key)`, cut short for a very long key (messages stay readable)."""
    return repr(key) if len(key) <= 80 else f"{key[:60]!r}... ({len(key)} characters)"


def _member_name(i: int) -> str:
    return f"arr_{i}.npy"


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))   # reproducible bytes
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _saveable_array(key: str, value: Any) -> np.ndarray:
    arr = value._data if isinstance(value, autograd.Tensor) else value
    arr = np.asarray(arr)
    dt = arr.dtype
    if dt.fields is not None or dt.subdtype is not None or not _SAVEABLE.fullmatch(dt.str):
        raise TypeError(f"nn.save: {_short(key)} has dtype {dt} ({dt.str!r}); only bool, "
                        "int, uint and float16/32/64 arrays can be saved")
    return arr


def save(state_dict: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write `state_dict` (string keys; Tensors or numpy arrays of bool, int, uint or
    float16/32/64) to `path`, exactly that name, in the format of this module's docstring.

    Every key and array comes back from `load` as it was: same keys in the same order, same
    dtype (byte order included), shape and bytes. Raises TypeError, before the file is
    touched, for a key that is not a str or a value of another dtype (object, complex,
    string, ...)."""
    arrays: list[tuple[str, np.ndarray]] = []
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"nn.save: key {key!r} is a {type(key).__name__}, not a str: "
                            "state dict keys must be strings")
        arrays.append((key, _saveable_array(key, value)))
    lines = [json.dumps({"format": FORMAT, "version": VERSION, "count": len(arrays)})]
    lines += [json.dumps([_member_name(i), key]) for i, (key, _) in enumerate(arrays)]
    manifest = "".join(line + "\n" for line in lines).encode("ascii")   # json escapes non-ASCII
    with open(path, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(_zip_info(MANIFEST), manifest)
        for i, (_, arr) in enumerate(arrays):
            big = arr.nbytes + _MAX_HEADER >= zipfile.ZIP64_LIMIT
            with archive.open(_zip_info(_member_name(i)), "w", force_zip64=big) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


# ------------------------------------------------------------------------------------ load
def _refuse(label: str, why: str) -> LoadError:
    return LoadError(f"nn.load: {label} {why}")


def _what(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _check_regular(mode: int, label: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _MODES if test(mode)), "of another kind")
        raise _refuse(label, f"is not a regular file but {kind}; nn.load reads only regular "
                      "files")


def _open_regular(name: str | bytes, label: str) -> io.BufferedReader:
    """Open `name` for reading if it is (or links to) a regular file; never blocks (a FIFO or
    a device is refused from its stat, and opened, if ever, non-blocking)."""
    try:
        st = os.stat(name)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _refuse(label, "is a loop of symbolic links") from None
        raise
    _check_regular(st.st_mode, label)
    flags = os.O_RDONLY
    for extra in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, extra, 0)
    fd = os.open(name, flags)
    try:
        _check_regular(os.fstat(fd).st_mode, label)     # replaced since the stat: look again
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_magic(head: bytes, label: str) -> None:
    if head.startswith((_ZIP_MAGIC, _END_MAGIC)):
        return
    if not head:
        raise _refuse(label, "is empty, not an .npz archive")
    if head.startswith(_NPY_MAGIC):
        raise _refuse(label, "is a single .npy array, not an .npz archive of named arrays")
    if _ZIP_MAGIC.startswith(head) or _END_MAGIC.startswith(head):
        raise _refuse(label, f"is truncated: its {len(head)} bytes only begin a zip archive")
    if head[:1] == _PICKLE_PROTO:
        raise _refuse(label, "is not an .npz archive: the file is a Python pickle; refusing, "
                      "since unpickling can run code")
    raise _refuse(label, f"is not an .npz archive: the file is of another format (wrong "
                  f"magic: it starts with {head[:8]!r})")


class _CappedFile:
    """The archive as `zipfile` reads it: any read larger than `_MAX_DIRECTORY` bytes (which
    only the central directory could ask for) is refused, so a directory declaring millions
    of members cannot fill memory with their records."""

    def __init__(self, f: io.BufferedReader, size: int, label: str) -> None:
        self._f, self._size, self._label = f, size, label

    def seek(self, offset: int, whence: int = 0, /) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def seekable(self) -> bool:
        return True

    def read(self, n: int | None = -1, /) -> bytes:
        left = max(0, self._size - self._f.tell())
        want = left if n is None or n < 0 else min(n, left)
        if want > _MAX_DIRECTORY:
            raise _refuse(self._label, f"has a zip central directory of {want} bytes, over "
                          f"the {_MAX_DIRECTORY}-byte limit (damaged, or not a state dict)")
        return self._f.read(want)


class _MemberReader:
    """The uncompressed bytes of one zip member, read from the archive in bounded chunks
    (stored or deflate only), never more than its declared size; `finish` checks that the
    data ends exactly there and that its CRC-32 matches."""

    def __init__(self, f: io.BufferedReader, archive_size: int, info: zipfile.ZipInfo,
                 fail: Callable[[str], LoadError]) -> None:
        self._f, self._info, self._fail = f, info, fail
        f.seek(info.header_offset)
        head = f.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size:
            raise fail("its local header is truncated")
        magic, _, _, flags, method, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(
            head)
        if magic != _ZIP_MAGIC:
            raise fail("its local header has the wrong magic")
        raw_name = f.read(name_len)
        encoding = "utf-8" if flags & _FLAG_UTF8 else "cp437"
        if raw_name.decode(encoding) != info.orig_filename:
            raise fail("its local header names another member")
        if method != info.compress_type:
            raise fail("its two headers disagree on the compression method")
        self._pos = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
        self._compressed_left = info.compress_size
        if self._pos + info.compress_size > archive_size:
            raise fail(f"its {info.compress_size} bytes of data run past the end of the file "
                       "(truncated)")
        if method == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise fail("it is stored uncompressed but its two sizes differ")
        self._left = info.file_size
        self._crc = 0
        self._inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None

    def _raw(self, n: int) -> bytes:
        n = min(n, self._compressed_left)
        if n <= 0:
            return b""
        self._f.seek(self._pos)
        data = self._f.read(n)
        if len(data) < n:
            raise self._fail("its data is truncated")
        self._pos += n
        self._compressed_left -= n
        return data

    def _inflate(self, n: int) -> bytes:
        assert self._inflater is not None
        while True:
            if self._inflater.eof:
                raise self._fail(f"it inflates to fewer bytes than the {self._info.file_size} "
                                 "it declares")
            source = self._inflater.unconsumed_tail or self._raw(_INFLATE_IN)
            if not source:
                raise self._fail("its compressed data ends early (truncated)")
            data = self._inflater.decompress(source, n)
            if data:
                return data

    def read(self, n: int) -> bytes:
        """Up to `n` bytes (b"" only at the declared end)."""
        n = min(n, self._left)
        if n <= 0:
            return b""
        data = self._raw(n) if self._inflater is None else self._inflate(n)
        self._left -= len(data)
        self._crc = zlib.crc32(data, self._crc)
        return data

    def read_exact(self, n: int, what: str) -> bytes:
        parts, got = [], 0
        while got < n:
            data = self.read(min(_CHUNK, n - got))
            if not data:
                raise self._fail(f"it ends inside its {what} (truncated)")
            parts.append(data)
            got += len(data)
        return b"".join(parts)

    def read_into(self, out: np.ndarray, what: str) -> None:
        view = out.data.cast("B")
        pos = 0
        while pos < len(view):
            chunk = view[pos:pos + _CHUNK]
            if self._inflater is None and len(chunk) <= self._left:    # straight from the file
                got = len(chunk)
                self._f.seek(self._pos)
                if self._f.readinto(chunk) != got:
                    raise self._fail(f"its {what} is truncated")
                self._pos += got
                self._compressed_left -= got
                self._left -= got
                self._crc = zlib.crc32(chunk, self._crc)
            else:
                data = self.read(len(chunk))
                if not data:
                    raise self._fail(f"it ends inside its {what} (truncated)")
                got = len(data)
                chunk[:got] = data
            pos += got

    def finish(self) -> None:
        """Check that the member ends at its declared size and its CRC-32 is right."""
        if self._left:
            raise self._fail("it holds data past the array's end")
        if self._inflater is not None and not self._inflater.eof:
            while not self._inflater.eof:
                source = self._inflater.unconsumed_tail or self._raw(_INFLATE_IN)
                if not source:
                    raise self._fail("its compressed data ends early (truncated)")
                if self._inflater.decompress(source, 1):
                    raise self._fail(f"it inflates beyond the {self._info.file_size} bytes it "
                                     "declares (a zip bomb?)")
        if self._crc != self._info.CRC:
            raise self._fail("its CRC-32 does not match its data")


def _parse_canonical(text: str) -> tuple[str, bool, tuple[int, ...]] | None:
    """The header as numpy writes it, parsed without `ast` (most files); None for any other
    text, which `_parse_header` then reads with `ast.literal_eval`."""
    match = _CANONICAL.fullmatch(text)
    if match is None:
        return None
    descr, fortran, dims = match.groups()
    items = [item.strip() for item in dims.split(",")] if dims.strip() else []
    if len(items) == 1:
        return None                             # "(3)" is an int, not a tuple
    if items and not items[-1]:
        items.pop()                             # "(3,)": the trailing comma
    if not all(_DIM.fullmatch(item) for item in items) or len(items) > _MAX_DIMS:
        return None
    return descr, fortran == "True", tuple(int(item) for item in items)


def _parse_header(text: str) -> tuple[Any, bool, tuple[int, ...]]:
    """(descr, fortran_order, shape) of an .npy header's dict, or ValueError saying why not."""
    canonical = _parse_canonical(text)
    if canonical is not None:
        return canonical
    if not text.translate(_SPACES).isprintable():
        raise ValueError("not text (it holds unprintable characters)")
    try:
        with warnings.catch_warnings():             # "invalid escape sequence" and the like
            warnings.simplefilter("ignore")
            header = ast.literal_eval(text.strip())
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as e:
        raise ValueError(f"not a Python literal ({type(e).__name__})") from None
    if not isinstance(header, dict):
        raise ValueError(f"a {type(header).__name__}, not a dict")
    if set(header) != {"descr", "fortran_order", "shape"}:
        raise ValueError(f"keys {sorted(map(repr, header))}, not 'descr', 'fortran_order', "
                         "'shape'")
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(fortran, bool):
        raise ValueError(f"fortran_order {fortran!r} is not a bool")
    if (not isinstance(shape, tuple) or len(shape) > _MAX_DIMS
            or not all(type(n) is int and n >= 0 for n in shape)):
        raise ValueError(f"shape {str(shape)[:80]} is not a tuple of at most {_MAX_DIMS} "
                         "non-negative ints")
    if not isinstance(descr, (str, list)):
        raise ValueError(f"descr {str(descr)[:80]} is not a dtype")
    return descr, fortran, shape


def _holds_objects(descr: Any) -> bool:
    if isinstance(descr, str):
        return _OBJECT.fullmatch(descr) is not None
    return isinstance(descr, (list, tuple)) and any(_holds_objects(d) for d in descr)


class _Loader:
    """One `load`: the open archive, its label for messages, and the size bound."""

    def __init__(self, f: io.BufferedReader, size: int, label: str, max_bytes: int) -> None:
        self.f, self.size, self.label, self.max_bytes = f, size, label, max_bytes

    def refuse(self, why: str) -> LoadError:
        return _refuse(self.label, why)

    def over(self, what: str, nbytes: int) -> LoadError:
        return self.refuse(f"{what} {nbytes} bytes, over max_bytes={self.max_bytes}; pass a "
                           "larger max_bytes= to nn.load if you trust the file")

    def members(self, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
        """The archive's members, checked before anything is inflated: unique names, no
        encryption, stored or deflate, declared sizes within max_bytes, one by one and all
        together."""
        infos, seen, total = archive.infolist(), set(), 0
        for info in infos:
            name = _short(info.filename)
            if info.filename in seen:
                raise self.refuse(f"holds two members named {name} (duplicate member)")
            seen.add(info.filename)
            if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG):
                raise self.refuse(f"has an encrypted member {name}")
            if info.flag_bits & _FLAG_PATCHED:
                raise self.refuse(f"has a member {name} of patched data (unsupported)")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.refuse(f"has a member {name} in compression method "
                                  f"{info.compress_type}; only stored and deflate are read")
            if info.file_size > self.max_bytes:
                raise self.over(f"has a member {name} that declares", info.file_size)
            total += info.file_size
        if total > self.max_bytes:
            raise self.over(f"declares, in its {len(infos)} members together,", total)
        return infos

    def directory_end(self, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
        """Check that the central directory `zipfile` parsed ends at the end record and holds
        as many members as that record counts (zipfile stops parsing at a damaged length
        field, and would silently drop the members after it)."""
        end = archive.start_dir
        for info in infos:
            name = info.orig_filename.encode("utf-8" if info.flag_bits & _FLAG_UTF8 else "cp437")
            end += _DIRECTORY_ENTRY + len(name) + len(info.extra) + len(info.comment)
        self.f.seek(end)
        record = self.f.read(_ZIP64_END.size)
        if record.startswith(_END_MAGIC) and len(record) >= _END.size:
            counted = _END.unpack_from(record)[4]
            ok = counted in (len(infos) & 0xFFFF, 0xFFFF)
        elif record.startswith(_ZIP64_END_MAGIC) and len(record) == _ZIP64_END.size:
            counted = _ZIP64_END.unpack(record)[7]
            ok = counted == len(infos)
        else:
            raise self.refuse("is damaged: its zip central directory does not end at the end "
                              "record")
        if not ok:
            raise self.refuse(f"is damaged: its zip end record counts {counted} members, but "
                              f"the central directory holds {len(infos)}")

    def reader(self, info: zipfile.ZipInfo, where: str) -> _MemberReader:
        def fail(why: str) -> LoadError:
            return self.refuse(f"is damaged: {where}: {why}")
        return _MemberReader(self.f, self.size, info, fail)

    def plan(self, infos: list[zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, str]]:
        """(member, key) pairs in the state dict's order."""
        by_name = {info.filename: info for info in infos}
        if MANIFEST in by_name:
            return self.manifest(by_name)
        keys: dict[str, str] = {}
        plan = []
        for info in infos:
            name = info.filename
            key = name[:-len(".npy")] if name.endswith(".npy") else name
            if key in keys:
                raise self.refuse(f"has members {_short(keys[key])} and {_short(name)} that give "
                                  f"the same key {_short(key)} (duplicate key)")
            keys[key] = name
            plan.append((info, key))
        return plan

    def manifest(self, by_name: dict[str, zipfile.ZipInfo]) -> list[
            tuple[zipfile.ZipInfo, str]]:
        info = by_name[MANIFEST]
        reader = self.reader(info, f"member {MANIFEST!r} (the manifest)")
        data = reader.read_exact(info.file_size, "manifest")
        reader.finish()
        count = len(by_name) - 1

        def bad(why: str) -> LoadError:
            return self.refuse(f"has a bad manifest ({MANIFEST!r}): {why}")

        lines_found = data.count(b"\n")
        if lines_found != count + 1 or not data.endswith(b"\n"):
            raise bad(f"{lines_found} lines for {count} arrays (and a header line)")
        lines = data.split(b"\n")[:-1]
        try:
            head = json.loads(lines[0].decode("utf-8"))
            pairs = [json.loads(line.decode("utf-8")) for line in lines[1:]]
        except (ValueError, RecursionError) as e:
            raise bad(f"not JSON lines ({type(e).__name__})") from None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise bad(f"its first line is not a {FORMAT} header")
        version = head.get("version")
        if type(version) is not int or version < 1:
            raise bad(f"version {str(version)[:40]} is not a positive int")
        if version > VERSION:
            raise bad(f"version {version} is newer than this chalkgrad reads ({VERSION})")
        if type(head.get("count")) is not int or head["count"] != count:
            raise bad(f"it counts {str(head.get('count'))[:40]} arrays; the archive holds "
                      f"{count}")
        plan, keys, members = [], set(), set()
        for i, pair in enumerate(pairs):
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(s, str) for s in pair)):
                raise bad(f"line {i + 2} is not a [member, key] pair of strings")
            member, key = pair
            if member == MANIFEST or member not in by_name:
                raise bad(f"line {i + 2} names member {member[:80]!r}, not in the archive")
            if member in members:
                raise bad(f"member {member[:80]!r} is listed twice")
            if key in keys:
                raise bad(f"key {_short(key)} is listed twice (duplicate key)")
            members.add(member)
            keys.add(key)
            plan.append((by_name[member], key))
        return plan

    def array(self, info: zipfile.ZipInfo, key: str) -> np.ndarray:
        """The array of one member, its header and sizes checked before its data is read."""
        where = f"member {_short(info.filename)} (key {_short(key)})"
        reader = self.reader(info, where)

        def bad(why: str) -> LoadError:
            return self.refuse(f"is damaged: {where} has a bad .npy header: {why}")

        magic = reader.read(len(_NPY_MAGIC))
        if magic != _NPY_MAGIC:
            what = ("a Python pickle, refusing since unpickling can run code"
                    if magic[:1] == _PICKLE_PROTO else "wrong magic")
            raise self.refuse(f"is a zip archive but not an .npz: {where} is not a numpy "
                              f"array ({what}; a torch.save file? load it with torch, save "
                              "its state_dict's numpy arrays with nn.save)")
        major, minor = reader.read_exact(2, ".npy header")
        if (major, minor) not in ((1, 0), (2, 0), (3, 0)):
            raise bad(f"unsupported .npy format version {major}.{minor}")
        size_format = "<H" if major == 1 else "<I"
        prefix = len(_NPY_MAGIC) + 2 + struct.calcsize(size_format)
        (header_len,) = struct.unpack(size_format, reader.read_exact(
            struct.calcsize(size_format), ".npy header"))
        if header_len > _MAX_HEADER:
            raise bad(f"it is {header_len} bytes long, over the {_MAX_HEADER}-byte bound of "
                      "a sane .npy header")
        if prefix + header_len > info.file_size:
            raise bad(f"its {header_len} bytes run past the member's end (truncated)")
        raw_header = reader.read_exact(header_len, ".npy header")
        try:
            text = raw_header.decode("utf-8" if major == 3 else "latin1")
            descr, fortran, shape = _parse_header(text)
        except ValueError as e:
            raise bad(str(e)) from None
        if _holds_objects(descr):
            if reader.read(1) == _PICKLE_PROTO:          # np.save's pickle.dump
                raise self.refuse(f"holds Python objects under key {_short(key)} (member "
                                  f"{_short(info.filename)}, dtype {str(descr)[:80]!r}) that only "
                                  "pickle could load; refusing, since unpickling can run code")
            raise bad(f"it declares Python objects (dtype {str(descr)[:80]!r}) but the data "
                      "that follows is not a valid array")
        if not isinstance(descr, str) or not _SAVEABLE.fullmatch(descr):
            raise self.refuse(f"has unsupported dtype {str(descr)[:80]!r} in {where}; "
                              "nn.load reads bool, int, uint and float16/32/64 arrays")
        dtype = np.dtype(descr)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > self.max_bytes:
            raise self.over(f"has {where} whose header (shape {str(shape)[:80]}, dtype "
                            f"{descr}) declares", nbytes)
        if math.prod(max(n, 1) for n in shape) * dtype.itemsize >= 2**63:
            raise bad(f"shape {str(shape)[:80]} is too large for numpy")
        if prefix + header_len + nbytes != info.file_size:
            raise self.refuse(f"is damaged: {where} holds {info.file_size - prefix - header_len}"
                              f" bytes of data but its header (shape {str(shape)[:80]}, dtype "
                              f"{descr}) declares {nbytes}")
        raw = np.empty(nbytes, dtype=np.uint8)
        reader.read_into(raw, "array data")
        reader.finish()
        if dtype.kind == "b" and nbytes and raw.max() > 1:
            raise self.refuse(f"is damaged: {where} is a bool array holding bytes other than "
                              "0 and 1")
        flat = raw.view(dtype) if nbytes else np.empty(0, dtype=dtype)
        return flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)

    def load(self) -> OrderedDict[str, autograd.Tensor]:
        try:
            archive = zipfile.ZipFile(_CappedFile(self.f, self.size, self.label), "r")
        except LoadError:
            raise
        except _DAMAGE as e:
            raise self.refuse(f"is a truncated or damaged zip archive ({_what(e)})") from None
        with archive:
            infos = self.members(archive)
            self.directory_end(archive, infos)
            out: OrderedDict[str, autograd.Tensor] = OrderedDict()
            info = None
            try:
                for info, key in self.plan(infos):
                    out[key] = autograd.from_numpy(self.array(info, key))
            except LoadError:
                raise
            except _DAMAGE as e:
                where = f" in member {_short(info.filename)}" if info is not None else ""
                raise self.refuse(f"is damaged{where} ({_what(e)})") from None
        return out


def load(path: str | os.PathLike[str], *,
         max_bytes: int = DEFAULT_MAX_BYTES) -> OrderedDict[str, autograd.Tensor]:
    """Read a state dict written by `save`, or any plain .npz of bool, int, uint and
    float16/32/64 arrays (`numpy.savez`, `savez_compressed`), as Tensors of the stored dtypes,
    in the file's order.

    Safe on a file from an untrusted source: nothing in it is unpickled or run; only a
    regular file (or a symlink to one) is read, so a FIFO or a device cannot block it; every
    declared size is checked against `max_bytes` (default 1 GiB) before anything is inflated,
    and a member inflating beyond its declared size is cut off. Raises FileNotFoundError for a
    missing path (other OSErrors, such as PermissionError, as `open` would), and `LoadError`
    (a ValueError), naming the path and what is wrong, for every other file it will not load.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"nn.load: max_bytes must be an int, not {type(max_bytes).__name__}")
    if max_bytes < 0:
        raise ValueError(f"nn.load: max_bytes must be >= 0, not {max_bytes}")
    name = os.fspath(path)
    label = repr(name)
    with _open_regular(name, label) as f:
        size = os.fstat(f.fileno()).st_size
        _check_magic(f.read(8), label)
        return _Loader(f, size, label, max_bytes).load()
