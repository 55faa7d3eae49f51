#!/usr/bin/python3
"""Writes the fuzzers' seed corpus: small valid files of each format.

    fuzz/make_corpus.py          (rewrites fuzz/corpus/{safetensors,idx}/seed-*)

Plain struct + json, independent of the C++ writer, so the seeds also check that
the reader accepts files it did not write itself.
"""
import json
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
         "U8": 1, "I8": 1, "BOOL": 1, "F8_E5M2": 1, "F8_E4M3": 1}


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, raw bytes)], laid out in the given order."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


def i64(*values):
    return struct.pack(f"<{len(values)}q", *values)


def main():
    seeds = {
        "safetensors": {
            "model": safetensors([("layers.0.weight", "F32", [2, 3], f32(0.5, -1, 2, 0.25, 3, -0.75)),
                                  ("layers.0.bias", "F32", [2], f32(0.1, -0.2))], {"format": "pt"}),
            "dtypes": safetensors([(f"t.{d}", d, [2], bytes(range(7, 7 + 2 * s)))
                                   for d, s in sorted(SIZES.items(), key=lambda kv: -kv[1])]),
            "scalars": safetensors([("position.epoch", "I64", [], i64(3)), ("lr", "F32", [], f32(0.01)),
                                    ("empty", "F32", [0, 3], b""), ("flag", "BOOL", [], b"\x01")],
                                   {"typenet.kind": "training_state", "optimizer": "Adam"}),
            "empty": safetensors([]),
            "metadata": safetensors([], {"format": "pt", "note": "no tensors"}),
        },
        "idx": {
            "labels": idx([5], [0, 1, 2, 3, 4]),
            "images": idx([2, 2, 3], range(12)),
            "rank4": idx([1, 2, 1, 2], [255, 0, 128, 7]),
        },
    }
    for reader, files in seeds.items():
        folder = HERE / "corpus" / reader
        folder.mkdir(parents=True, exist_ok=True)
        for name, blob in files.items():
            (folder / f"seed-{name}").write_bytes(blob)


if __name__ == "__main__":
    main()
