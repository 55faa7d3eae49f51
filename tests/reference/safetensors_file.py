"""write_safetensors, shared by the reference scripts here (and bench/gpt2_torch.py).

    write_safetensors(path, {"name": tensor, ...}, {"script": "..."})

Tensors are written in sorted name order: int64 as I64, anything else converted to
float32 (F32), row-major and little-endian, after the 8-byte length and the JSON
header (padded with spaces to a multiple of 8 so the data starts aligned), as the
safetensors format and typenet's reader (include/typenet/io/safetensors.hpp) want.
"""
import json
import struct

import torch


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach()
        dtype, t = ("I64", t) if t.dtype == torch.int64 else ("F32", t.float())
        data = t.contiguous().numpy().tobytes()  # little-endian on x86
        header[key] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
