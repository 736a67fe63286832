"""A small PLY reader (ascii, binary_little_endian, binary_big_endian) in numpy.

``read_ply(path)`` returns every element of the file as ``{element: {property: array}}``.
Scalar properties are 1-D arrays of the declared type; list properties (mesh faces) are a 2-D
array when every row has the same length, else an object array of 1-D arrays. Enough for
ScanNet's ``*_vh_clean_2.ply`` meshes and label files without open3d or plyfile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .readers_common import DatasetFileError, require_file

PLY_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "i2",
    "int16": "i2",
    "ushort": "u2",
    "uint16": "u2",
    "int": "i4",
    "int32": "i4",
    "uint": "u4",
    "uint32": "u4",
    "float": "f4",
    "float32": "f4",
    "double": "f8",
    "float64": "f8",
}
FORMATS = {"ascii": None, "binary_little_endian": "<", "binary_big_endian": ">"}


@dataclass
class _Property:
    name: str
    type: str  # numpy type code without byte order
    count_type: str | None = None  # list properties: type of the length prefix


@dataclass
class _Element:
    name: str
    count: int
    properties: list[_Property] = field(default_factory=list)


def _parse_header(path: Path, raw: bytes) -> tuple[str, list[_Element], int]:
    """Format, elements and the byte offset where the body starts."""
    if not raw.startswith(b"ply"):
        raise DatasetFileError.at(path, None, "not a PLY file (no 'ply' magic line)")
    end = raw.find(b"end_header")
    if end < 0:
        raise DatasetFileError.at(path, None, "PLY header has no 'end_header' line")
    body_start = raw.find(b"\n", end) + 1
    if body_start == 0:
        raise DatasetFileError.at(path, None, "PLY file ends right after its header")
    fmt, elements = None, []
    for line in raw[:end].decode("ascii", errors="replace").splitlines()[1:]:
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        try:
            if words[0] == "format":
                fmt = words[1]
                if fmt not in FORMATS:
                    raise DatasetFileError.at(path, None, f"unsupported PLY format {fmt!r}")
            elif words[0] == "element":
                elements.append(_Element(words[1], int(words[2])))
            elif words[0] == "property" and words[1] == "list":
                prop = _Property(words[4], PLY_TYPES[words[3]], PLY_TYPES[words[2]])
                elements[-1].properties.append(prop)
            elif words[0] == "property":
                elements[-1].properties.append(_Property(words[2], PLY_TYPES[words[1]]))
            else:
                raise DatasetFileError.at(path, None, f"unexpected PLY header line {line!r}")
        except (IndexError, KeyError, ValueError) as error:
            if isinstance(error, DatasetFileError):
                raise
            raise DatasetFileError.at(path, None, f"malformed PLY header line {line!r}") from None
    if fmt is None:
        raise DatasetFileError.at(path, None, "PLY header has no 'format' line")
    return fmt, elements, body_start


def _read_binary(path: Path, data: bytes, offset: int, element: _Element, order: str):
    """One element of a binary body: (columns, new offset)."""
    if not any(p.count_type for p in element.properties):
        dtype = np.dtype([(p.name, order + p.type) for p in element.properties])
        if offset + element.count * dtype.itemsize > len(data):
            raise DatasetFileError.at(
                path, None, f"truncated: element {element.name!r} needs {element.count} rows"
            )
        rows = np.frombuffer(data, dtype, element.count, offset)
        columns = {p.name: rows[p.name].copy() for p in element.properties}
        return columns, offset + element.count * dtype.itemsize
    return _read_binary_lists(path, data, offset, element, order)


def _read_binary_lists(path: Path, data: bytes, offset: int, element: _Element, order: str):
    """An element with list properties. Fast path: every list as long as the first row's."""
    if element.count == 0:
        return {p.name: np.zeros((0,), p.type) for p in element.properties}, offset
    fields, lengths, position = [], [], offset
    for prop in element.properties:  # the first row tells each list's length
        if prop.count_type is None:
            fields.append((prop.name, order + prop.type))
            position += np.dtype(prop.type).itemsize
            continue
        if position + np.dtype(prop.count_type).itemsize > len(data):
            raise DatasetFileError.at(path, None, f"truncated in element {element.name!r}")
        length = int(np.frombuffer(data, order + prop.count_type, 1, position)[0])
        fields += [(prop.name + "#count", order + prop.count_type)]
        fields += [(prop.name, order + prop.type, (length,))]
        lengths.append(length)
        position += np.dtype(prop.count_type).itemsize + length * np.dtype(prop.type).itemsize
    dtype = np.dtype(fields)
    if offset + element.count * dtype.itemsize <= len(data):
        rows = np.frombuffer(data, dtype, element.count, offset)
        lists = [p for p in element.properties if p.count_type]
        if all(np.all(rows[p.name + "#count"] == n) for p, n in zip(lists, lengths, strict=True)):
            columns = {p.name: rows[p.name].copy() for p in element.properties}
            return columns, offset + element.count * dtype.itemsize

    # Slow path: lists of different lengths (polygons of mixed size), one row at a time.
    columns = {p.name: [] for p in element.properties}
    for _ in range(element.count):
        for prop in element.properties:
            count_dtype = np.dtype(order + (prop.count_type or prop.type))
            if offset + count_dtype.itemsize > len(data):
                raise DatasetFileError.at(path, None, f"truncated in element {element.name!r}")
            value = np.frombuffer(data, count_dtype, 1, offset)[0]
            offset += count_dtype.itemsize
            if prop.count_type is None:
                columns[prop.name].append(value)
                continue
            item_dtype = np.dtype(order + prop.type)
            if offset + int(value) * item_dtype.itemsize > len(data):
                raise DatasetFileError.at(path, None, f"truncated in element {element.name!r}")
            columns[prop.name].append(np.frombuffer(data, item_dtype, int(value), offset).copy())
            offset += int(value) * item_dtype.itemsize
    return {name: _as_array(values) for name, values in columns.items()}, offset


def _numbers(words: list[bytes]) -> bool:
    try:
        [float(word) for word in words]
    except ValueError:
        return False
    return True


def _as_array(values: list) -> np.ndarray:
    if values and isinstance(values[0], np.ndarray):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values)


def _read_ascii(path: Path, lines: list[tuple[int, bytes]], start: int, element: _Element):
    """One element of an ascii body, one row per (line number, line): (columns, next index).
    Every row's column count is checked; a problem names its line."""
    rows = lines[start : start + element.count]
    if len(rows) < element.count:
        problem = f"truncated: element {element.name!r} needs {element.count} rows"
        raise DatasetFileError.at(path, None, problem)
    if not any(p.count_type for p in element.properties):
        width = len(element.properties)
        words = [row.split() for _, row in rows]
        for (number, _), row in zip(rows, words, strict=True):
            if len(row) != width:
                problem = f"expected {width} values in a {element.name} row, found {len(row)}"
                raise DatasetFileError.at(path, number, problem)
        try:
            table = np.array([w for row in words for w in row], dtype=np.float64)
        except ValueError:
            number = next(n for (n, _), row in zip(rows, words, strict=True) if not _numbers(row))
            raise DatasetFileError.at(path, number, f"malformed {element.name} row") from None
        table = table.reshape(element.count, width)
        columns = {p.name: table[:, i].astype(p.type) for i, p in enumerate(element.properties)}
        return columns, start + element.count
    columns = {p.name: [] for p in element.properties}
    for number, row in rows:
        words = row.split()
        try:
            for prop in element.properties:
                if prop.count_type is None:
                    columns[prop.name].append(float(words.pop(0)))
                else:
                    length = int(words.pop(0))
                    columns[prop.name].append(np.array(words[:length], dtype=prop.type))
                    del words[:length]
        except (IndexError, ValueError):
            raise DatasetFileError.at(path, number, f"malformed {element.name} row") from None
        if words:
            problem = f"{len(words)} values left over at the end of a {element.name} row"
            raise DatasetFileError.at(path, number, problem)
    out = {}
    for prop in element.properties:
        values = columns[prop.name]
        if prop.count_type and len({len(v) for v in values}) == 1:
            out[prop.name] = np.stack(values)
        elif prop.count_type:
            out[prop.name] = _as_array(values)
        else:
            out[prop.name] = np.asarray(values).astype(prop.type)
    return out, start + element.count


def read_ply(path: str | Path) -> dict[str, dict[str, np.ndarray]]:
    """All elements of a PLY file: ``{"vertex": {"x": array, ...}, "face": {...}, ...}``.

    Raises ``FileNotFoundError`` for a missing file and ``DatasetFileError`` (a ValueError
    naming the file) for a malformed header or a truncated body.
    """
    path = require_file(path)
    raw = path.read_bytes()
    fmt, elements, body_start = _parse_header(path, raw)
    result = {}
    if fmt == "ascii":
        first = raw[:body_start].count(b"\n") + 1  # the line number of the body's first line
        lines = [
            (number, line)
            for number, line in enumerate(raw[body_start:].splitlines(), first)
            if line.strip()
        ]
        position = 0
        for element in elements:
            result[element.name], position = _read_ascii(path, lines, position, element)
    else:
        offset = body_start
        for element in elements:
            result[element.name], offset = _read_binary(path, raw, offset, element, FORMATS[fmt])
    return result
