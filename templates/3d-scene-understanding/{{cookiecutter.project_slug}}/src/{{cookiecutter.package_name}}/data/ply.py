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
        raise DatasetFileError(path, "not a PLY file (no 'ply' magic line)")
    end = raw.find(b"end_header")
    if end < 0:
        raise DatasetFileError(path, "PLY header has no 'end_header' line")
    body_start = raw.find(b"\n", end) + 1
    if body_start == 0:
        raise DatasetFileError(path, "PLY file ends right after its header")
    fmt, elements = None, []
    for line in raw[:end].decode("ascii", errors="replace").splitlines()[1:]:
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        try:
            if words[0] == "format":
                fmt = words[1]
                if fmt not in FORMATS:
                    raise DatasetFileError(path, f"unsupported PLY format {fmt!r}")
            elif words[0] == "element":
                elements.append(_Element(words[1], int(words[2])))
            elif words[0] == "property" and words[1] == "list":
                prop = _Property(words[4], PLY_TYPES[words[3]], PLY_TYPES[words[2]])
                elements[-1].properties.append(prop)
            elif words[0] == "property":
                elements[-1].properties.append(_Property(words[2], PLY_TYPES[words[1]]))
            else:
                raise DatasetFileError(path, f"unexpected PLY header line {line!r}")
        except (IndexError, KeyError, ValueError) as error:
            if isinstance(error, DatasetFileError):
                raise
            raise DatasetFileError(path, f"malformed PLY header line {line!r}") from None
    if fmt is None:
        raise DatasetFileError(path, "PLY header has no 'format' line")
    return fmt, elements, body_start


def _read_binary(path: Path, data: bytes, offset: int, element: _Element, order: str):
    """One element of a binary body: (columns, new offset)."""
    if not any(p.count_type for p in element.properties):
        dtype = np.dtype([(p.name, order + p.type) for p in element.properties])
        if offset + element.count * dtype.itemsize > len(data):
            raise DatasetFileError(
                path, f"truncated: element {element.name!r} needs {element.count} rows"
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
            raise DatasetFileError(path, f"truncated in element {element.name!r}")
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
                raise DatasetFileError(path, f"truncated in element {element.name!r}")
            value = np.frombuffer(data, count_dtype, 1, offset)[0]
            offset += count_dtype.itemsize
            if prop.count_type is None:
                columns[prop.name].append(value)
                continue
            item_dtype = np.dtype(order + prop.type)
            if offset + int(value) * item_dtype.itemsize > len(data):
                raise DatasetFileError(path, f"truncated in element {element.name!r}")
            columns[prop.name].append(np.frombuffer(data, item_dtype, int(value), offset).copy())
            offset += int(value) * item_dtype.itemsize
    return {name: _as_array(values) for name, values in columns.items()}, offset


def _as_array(values: list) -> np.ndarray:
    if values and isinstance(values[0], np.ndarray):
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values)


def _read_ascii(path: Path, lines: list[bytes], start: int, element: _Element):
    """One element of an ascii body, one row per line: (columns, next line index)."""
    rows = lines[start : start + element.count]
    if len(rows) < element.count:
        raise DatasetFileError(path, f"truncated: element {element.name!r} needs {element.count}")
    if not any(p.count_type for p in element.properties):
        try:
            table = np.array(b" ".join(rows).split(), dtype=np.float64)
            table = table.reshape(element.count, len(element.properties))
        except ValueError:
            raise DatasetFileError(path, f"malformed rows in element {element.name!r}") from None
        columns = {p.name: table[:, i].astype(p.type) for i, p in enumerate(element.properties)}
        return columns, start + element.count
    columns = {p.name: [] for p in element.properties}
    for number, row in enumerate(rows, start + 1):
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
            raise DatasetFileError(path, f"malformed body line {number}") from None
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
        lines = [line for line in raw[body_start:].splitlines() if line.strip()]
        position = 0
        for element in elements:
            result[element.name], position = _read_ascii(path, lines, position, element)
    else:
        offset = body_start
        for element in elements:
            result[element.name], offset = _read_binary(path, raw, offset, element, FORMATS[fmt])
    return result
