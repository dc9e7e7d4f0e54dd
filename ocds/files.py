"""Read OCDS files item by item: JSON, JSON Lines, JSON arrays, gzip, without loading
large files whole and without trusting a compressed file's size.

`iter_file` yields `Item`s: a whole JSON value ("value", for small files and each JSON
Lines line), a release or record streamed out of a large package ("release"/"record"),
that package's other fields ("package-metadata", after its items) or a problem with the
file itself ("problem", whose data is a one-line message).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

# Files up to this size are parsed whole (json gives line/column in its errors).
WHOLE_FILE_LIMIT = 32 * 1024 * 1024
# A gzip file may not decompress to more than this...
MAX_DECOMPRESSED = 4 * 1024 * 1024 * 1024
# ...nor, past RATIO_FLOOR bytes, to more than MAX_RATIO times its size: real OCDS
# compresses about 10-30:1, a gzip bomb about 1000:1.
MAX_RATIO = 200
RATIO_FLOOR = 64 * 1024 * 1024
MAX_LINE = 256 * 1024 * 1024
# How much of a large file's first line is read to tell JSON Lines from one big object.
JSONL_PROBE = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_ITEM_KEYS = {"releases": "release", "records": "record"}


@dataclass
class Item:
    kind: str
    where: str
    data: Any


class FileTooLarge(Exception):
    """Decompression went past the configured bound."""


class BoundedReader:
    """A binary reader that refuses to produce more than `limit` bytes (or ratio)."""

    def __init__(
        self, inner: gzip.GzipFile, raw: IO[bytes], limit: int, compressed_size: int
    ) -> None:
        self.inner = inner
        self.raw = raw
        self.limit = limit
        self.ratio_limit = max(RATIO_FLOOR, compressed_size * MAX_RATIO)
        self.total = 0

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.limit:
            raise FileTooLarge(f"gzip data decompresses to more than {self.limit} bytes "
                               "(the configured decompression bound)")
        if self.total > self.ratio_limit:
            raise FileTooLarge(f"gzip data expands more than {MAX_RATIO} times; refusing it "
                               "as a likely gzip bomb")
        return data

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit - self.total + 1
        return self._count(self.inner.read(size))

    def readline(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit - self.total + 1
        return self._count(self.inner.readline(size))

    def close(self) -> None:
        self.inner.close()
        self.raw.close()  # GzipFile does not close a file object it was given


def open_file(path: Path, max_decompressed: int | None = None) -> IO[bytes] | BoundedReader:
    """The file's bytes, decompressed (with bounds) when it starts with the gzip magic."""
    handle = path.open("rb")
    magic = handle.read(2)
    handle.seek(0)
    if magic == b"\x1f\x8b":
        size = path.stat().st_size
        return BoundedReader(gzip.GzipFile(fileobj=handle), handle,
                             max_decompressed or MAX_DECOMPRESSED, size)
    return handle


def _is_jsonl_name(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in (".jsonl", ".ndjson")


def iter_file(path: Path, max_decompressed: int | None = None) -> Iterator[Item]:
    try:
        yield from _iter_file(path, max_decompressed)
    except FileTooLarge as exc:
        yield Item("problem", "file", str(exc))
    except (OSError, EOFError, zlib.error) as exc:
        yield Item("problem", "file", f"cannot read the file: {exc}")


def _first_byte(reader: IO[bytes] | BoundedReader) -> bytes:
    while True:
        chunk = reader.read(1)
        if not chunk or not chunk.isspace():
            return chunk


def _iter_file(path: Path, max_decompressed: int | None) -> Iterator[Item]:
    if not path.is_file():
        yield Item("problem", "file", f"no such file: {path}")
        return
    if _is_jsonl_name(path):
        yield from _iter_lines(path, max_decompressed)
        return
    reader = open_file(path, max_decompressed)
    try:
        first = _first_byte(reader)
        if not first:
            yield Item("problem", "file", "the file is empty")
            return
        head = first + reader.read(WHOLE_FILE_LIMIT)
    finally:
        reader.close()
    if len(head) <= WHOLE_FILE_LIMIT:
        yield from _iter_small(head)
        return
    if first == b"{" and _starts_with_a_json_line(path, max_decompressed):
        yield from _iter_lines(path, max_decompressed)
        return
    reader = open_file(path, max_decompressed)
    try:
        if first == b"[":
            yield from _iter_array(reader)
        else:
            yield from _iter_object(reader)
    except (ijson.JSONError, ValueError, StopIteration) as exc:
        yield Item("problem", "file", f"invalid JSON: {ijson_message(exc)}")
    finally:
        reader.close()


def _starts_with_a_json_line(path: Path, max_decompressed: int | None) -> bool:
    """Whether a large file is JSON Lines without the .jsonl name: a whole object on line 1."""
    reader = open_file(path, max_decompressed)
    try:
        line = reader.readline(JSONL_PROBE)
    finally:
        reader.close()
    data, problem = _loads(line)
    return problem is None and isinstance(data, dict) and line.endswith(b"\n")


def ijson_message(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _loads(raw: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(raw), None
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except (ValueError, RecursionError) as exc:
        return None, f"invalid JSON: {exc}"


def _iter_small(raw: bytes) -> Iterator[Item]:
    data, problem = _loads(raw)
    if problem is None:
        if isinstance(data, list):
            for index, value in enumerate(data):
                yield Item("value", f"item {index}", value)
        else:
            yield Item("value", "file", data)
        return
    # Not one JSON value: perhaps JSON Lines without the .jsonl name.
    lines = raw.splitlines()
    if len([line for line in lines if line.strip()]) > 1:
        first, first_problem = _loads(lines[0])
        if first_problem is None and isinstance(first, dict):
            for number, line in enumerate(lines, 1):
                yield from _line_item(line, number)
            return
    yield Item("problem", "file", problem)


def _line_item(line: bytes, number: int) -> Iterator[Item]:
    if not line.strip():
        return
    # Without its line break, an error's position reads "line 1 column N" of this line.
    data, problem = _loads(line.rstrip(b"\r\n"))
    if problem is None:
        yield Item("value", f"line {number}", data)
    else:
        yield Item("problem", f"line {number}", problem)


def _iter_lines(path: Path, max_decompressed: int | None) -> Iterator[Item]:
    reader = open_file(path, max_decompressed)
    try:
        number = 0
        while True:
            line = reader.readline(MAX_LINE + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                while True:  # skip the rest of the overlong line without keeping it
                    rest = reader.readline(_CHUNK)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield Item("problem", f"line {number}", f"line longer than {MAX_LINE} bytes")
                continue
            yield from _line_item(line, number)
    finally:
        reader.close()


def _iter_array(reader: IO[bytes] | BoundedReader) -> Iterator[Item]:
    for index, value in enumerate(ijson.items(reader, "item", use_float=True)):
        yield Item("value", f"item {index}", value)


def _iter_object(reader: IO[bytes] | BoundedReader) -> Iterator[Item]:
    """Stream a large top-level object: its releases/records one by one, then the rest."""
    events = ijson.parse(reader, use_float=True)
    _, event, _ = next(events)
    if event != "start_map":
        raise ijson.JSONError("expected a JSON object or array")
    metadata: dict[str, Any] = {}
    key = ""
    for prefix, event, value in events:
        if prefix == "" and event == "map_key":
            key = value
            continue
        if prefix == "" and event == "end_map":
            break
        if key in _ITEM_KEYS and event == "start_array":
            count = 0
            for item in _build_values(events, until_end_array=True):
                yield Item(_ITEM_KEYS[key], f"{key}/{count}", item)
                count += 1
            # The metadata check sees an array of the right length, not the items again.
            metadata[key] = [{}] * count
        else:
            metadata[key] = _build_one(event, value, events)
    yield Item("package-metadata", "package", metadata)


def _build_one(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        _, event, value = next(events)
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
    return builder.value


def _build_values(events: Iterator[tuple[str, str, Any]], until_end_array: bool) -> Iterator[Any]:
    for _, event, value in events:
        if until_end_array and event == "end_array":
            return
        yield _build_one(event, value, events)
