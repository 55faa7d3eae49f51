#!/usr/bin/python3
"""Writes the fuzzers' seed corpus: small valid files of each format.

    fuzz/make_corpus.py          (rewrites fuzz/corpus/{safetensors,idx,csv,image,request}/seed-*)

Plain struct + json + zlib, independent of the C++ writers, so the seeds also check
that the readers accept files they did not write themselves. The CSV and image
fuzzers read their first byte as options (see csv_fuzzer.cpp, image_fuzzer.cpp), so
those seeds start with one. The JPEG seeds (seed-*.jpg) are not made here: they were
written once by stb_image_write (fuzz/jpeg_seeds.cpp says how).
"""
import json
import struct
import zlib
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


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, color_type, bit_depth, rows, palette=None, interlace=0):
    """rows: the raw scanlines (filter byte included), already laid out."""
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace))
    if palette:
        out += png_chunk(b"PLTE", palette)
    out += png_chunk(b"IDAT", zlib.compress(rows, 9))
    return out + png_chunk(b"IEND", b"")


def png_seeds():
    grey = b"".join(bytes([f % 5]) + bytes((x * 37 + y * 11 + f) & 0xFF for x in range(8))
                    for y in range(8) for f in [y % 5])  # every filter type 0-4
    rgb = b"".join(b"\x00" + bytes(v for x in range(4) for v in (x * 60, y * 60, 255 - x * 60)) for y in range(4))
    rgba = b"".join(b"\x01" + bytes(v for x in range(3) for v in (x * 80, 30, 200, 255 - y * 100)) for y in range(3))
    grey16 = b"".join(b"\x02" + b"".join(struct.pack(">H", (x + y) * 4000) for x in range(4)) for y in range(2))
    grey_alpha = b"".join(b"\x00" + bytes(v for x in range(2) for v in (x * 200, 128)) for y in range(2))
    palette = b"".join(b"\x00" + bytes([(x + y) % 4 << 6 | (x % 4) << 4 | (y % 4) << 2 | 3]) for x in range(1)
                       for y in range(4))  # 2-bit indices, 4 pixels a row
    # Adam7 interlacing of a 2x2 grey image: passes 1 (1 px), 6 (1 px), 7 (2 px).
    interlaced = b"\x00\x10" + b"\x00\x20" + b"\x00\x30\x40"
    return {
        "grey.png": b"\x00" + png(8, 8, 0, 8, grey),
        "rgb.png": b"\x03" + png(4, 4, 2, 8, rgb),
        "rgba.png": b"\x04" + png(3, 3, 6, 8, rgba),
        "grey16.png": b"\x01" + png(4, 2, 0, 16, grey16),
        "grey-alpha.png": b"\x02" + png(2, 2, 4, 8, grey_alpha),
        "palette.png": b"\x00" + png(4, 4, 3, 2, palette, palette=bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])),
        "interlaced.png": b"\x00" + png(2, 2, 0, 8, interlaced, interlace=1),
    }


def csv_seeds():
    # First byte: delimiter (bits 0-1: , ; tab space), header lines (bits 2-3),
    # allow non-finite (bit 4), fixed columns (bit 5, count in bits 6-7 + 1).
    return {
        "iris": bytes([0b0100]) + b"150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n"
                                  b"7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n",
        "spaces": bytes([0b0011]) + b"  0.038  0.05 -0.044\t151\n-0.0019 -0.0446 -0.0515 75\r\n\n 1e-3 +2 -3E2 4\n",
        "semicolon": bytes([0b1001]) + b"a;b\nc;d\n1;2\n3.5;-4e+1\n",
        "non-finite": bytes([0b10000]) + b"nan,inf,-inf\n1,2,3\n",
        "fixed-columns": bytes([0b01100000]) + b"1,2\n3,4\n",
        "crlf": bytes([0b0000]) + b"1,2,3\r\n4,5,6\r\n",
    }


def request_seeds():
    # First byte: bits 0-1 the Content-Type (json, png, none, octet-stream), bit 2 the
    # model (0: 1 x 28 x 28 in [0, 1]; 1: 3 x 4 x 4 in [-1, 1]); see request_fuzzer.cpp.
    digit = json.dumps({"pixels": [((i * 37) % 256) / 255 for i in range(784)]}).encode()
    small = json.dumps({"pixels": [((i * 7) % 21 - 10) / 10 for i in range(48)]}).encode()
    grey28 = b"".join(b"\x00" + bytes((x * 9 + y * 5) & 0xFF for x in range(28)) for y in range(28))
    rgb4 = b"".join(b"\x00" + bytes(v for x in range(4) for v in (x * 60, y * 60, 255 - x * 60)) for y in range(4))
    return {
        "digit.json": b"\x00" + digit,
        "small.json": b"\x04" + small,
        "digit.png": b"\x01" + png(28, 28, 0, 8, grey28),
        "small.png": b"\x05" + png(4, 4, 2, 8, rgb4),
        "sniffed.png": b"\x02" + png(28, 28, 0, 8, grey28),
        "bad.json": b"\x03" + b'{"pixels": [NaN, 1e999, "x", -0.5, 2, null, [1], {}]}',
    }


def main():
    seeds = {
        "safetensors": {
            "model": safetensors([("0.weight", "F32", [2, 3], f32(0.5, -1, 2, 0.25, 3, -0.75)),
                                  ("0.bias", "F32", [2], f32(0.1, -0.2))], {"format": "pt"}),
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
        "csv": csv_seeds(),
        "image": png_seeds(),
        "request": request_seeds(),
    }
    for reader, files in seeds.items():
        folder = HERE / "corpus" / reader
        folder.mkdir(parents=True, exist_ok=True)
        for name, blob in files.items():
            (folder / f"seed-{name}").write_bytes(blob)


if __name__ == "__main__":
    main()
