#!/usr/bin/python3
"""Writes tests/conformance/torch_cases/: ONNX RNN, LSTM and GRU cases whose weights
come from PyTorch's own ONNX exporter (torch.onnx.export) and whose outputs are
PyTorch's.

Why: libonnx-testdata's LSTM and GRU cases are one step from a zero state with the
same constant weights in every gate, so they cannot tell whether the conformance
runner maps ONNX's gate order (LSTM i, o, f, c; GRU z, r, h) onto typenet's
(PyTorch's i, f, g, o and r, z, n) correctly, nor exercise R. These cases have random
weights, several steps and a batch, and the mapping from PyTorch's layout to ONNX's
is the exporter's, not ours: the runner maps it back, and typenet must then compute
what PyTorch does.

The exporter writes a graph of many nodes (it builds the zero initial state with
Shape/Expand); this script keeps only its RNN/LSTM/GRU node's weights (W, R, B
initializers) and writes a one-node model in the layout of libonnx-testdata's
cases. It needs no onnx package: the few protobuf fields are read and written here.

Run with Debian's python3-torch:  /usr/bin/python3 tests/conformance/make_torch_recurrent_cases.py
"""
import os
import struct
import tempfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_cases")
FLOAT, INT32 = 1, 6


# --- protobuf: just what ModelProto, GraphProto, NodeProto and TensorProto need ---
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, wire, payload):
    return varint(num << 3 | wire) + payload


def f_varint(num, n):
    return field(num, 0, varint(n))


def f_bytes(num, b):
    if isinstance(b, str):
        b = b.encode()
    return field(num, 2, varint(len(b)) + b)


def parse(buf):
    """(field number, wire type, value) of each field of one message."""
    i, out = 0, []
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = read_varint(buf, i)
        elif wire == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        else:
            raise ValueError("wire type %d" % wire)
        out.append((num, wire, v))
    return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def tensor_proto(name, array, data_type=FLOAT):
    dims = b"".join(f_varint(1, d) for d in array.shape)
    if data_type == FLOAT:
        raw = array.detach().numpy().astype("<f4").tobytes()
    else:
        raw = array.detach().numpy().astype("<i4").tobytes()
    return dims + f_varint(2, data_type) + f_bytes(8, name) + f_bytes(9, raw)


def read_tensor(buf):
    dims, name, raw = [], "", b""
    for num, wire, v in parse(buf):
        if num == 1:
            if wire == 0:
                dims.append(v)
            else:  # packed
                j = 0
                while j < len(v):
                    d, j = read_varint(v, j)
                    dims.append(d)
        elif num == 2:
            assert v == FLOAT, "exported initializer of type %d" % v
        elif num == 8:
            name = v.decode()
        elif num == 9:
            raw = v
        elif num == 4:
            raise ValueError("float_data initializer: expected raw_data")
    values = struct.unpack("<%df" % (len(raw) // 4), raw)
    return name, torch.tensor(values, dtype=torch.float32).reshape(dims)


def exported_weights(module, x, op):
    """The W, R, B the exporter gives module's ONNX node (in ONNX's gate order)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.onnx")
        torch.onnx.export(module, (x,), path, opset_version=14)
        model = open(path, "rb").read()
    graph = next(v for num, _, v in parse(model) if num == 7)
    inits, node_inputs, attrs = {}, None, {}
    for num, _, v in parse(graph):
        if num == 5:
            name, t = read_tensor(v)
            inits[name] = t
        elif num == 1:
            fields = parse(v)
            if any(n == 4 and val.decode() == op for n, _, val in fields):
                node_inputs = [val.decode() for n, _, val in fields if n == 1]
                for n, _, val in fields:
                    if n == 5:
                        a = parse(val)
                        aname = next(x.decode() for k, _, x in a if k == 1)
                        ints = [x for k, w, x in a if k == 3]
                        strings = [x.decode() for k, w, x in a if k == 4]
                        attrs[aname] = ints[0] if ints else strings[0] if strings else None
    assert node_inputs, "no %s node in the export" % op
    return [inits[n] for n in node_inputs[1:4]], attrs


def node_proto(op, inputs, outputs, attrs):
    out = b"".join(f_bytes(1, i) for i in inputs) + b"".join(f_bytes(2, o) for o in outputs)
    out += f_bytes(3, op + "_node") + f_bytes(4, op)
    for name, value in attrs.items():  # name 1; i 3, type 20 INT = 2; s 4, type STRING = 3
        if isinstance(value, str):
            out += f_bytes(5, f_bytes(1, name) + f_bytes(4, value) + f_varint(20, 3))
        else:
            out += f_bytes(5, f_bytes(1, name) + f_varint(3, value) + f_varint(20, 2))
    return out


def write_case(name, op, attrs, inputs, outputs):
    """inputs/outputs: lists of (name, tensor, data_type); an output named "" is absent."""
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    node = node_proto(op, [n for n, _, _ in inputs], [n for n, _, _ in outputs], attrs)
    graph = f_bytes(1, node) + f_bytes(2, name)
    graph += b"".join(f_bytes(11, f_bytes(1, n)) for n, _, _ in inputs)
    graph += b"".join(f_bytes(12, f_bytes(1, n)) for n, _, _ in outputs if n)
    model = f_varint(1, 8) + f_bytes(2, "make_torch_recurrent_cases.py") + f_bytes(7, graph)
    model += f_bytes(8, f_bytes(1, "") + f_varint(2, 14))
    open(os.path.join(d, "model.onnx"), "wb").write(model)
    for k, (n, t, ty) in enumerate(inputs):
        open(os.path.join(d, "test_data_set_0", "input_%d.pb" % k), "wb").write(tensor_proto(n, t, ty))
    for k, (n, t, ty) in enumerate([o for o in outputs if o[0]]):
        open(os.path.join(d, "test_data_set_0", "output_%d.pb" % k), "wb").write(tensor_proto(n, t, ty))


def main():
    T, B, D, H = 4, 3, 3, 5
    for op, cls in (("RNN", torch.nn.RNN), ("LSTM", torch.nn.LSTM), ("GRU", torch.nn.GRU)):
        torch.manual_seed({"RNN": 1, "LSTM": 2, "GRU": 3}[op])
        m = cls(D, H)  # batch_first=False: ONNX's default layout [T, B, D]
        with torch.no_grad():  # biases as large as the weights, so b_hh's placement matters
            for p in m.parameters():
                p.uniform_(-0.8, 0.8)
        x = torch.randn(T, B, D)
        (w, r, b), attrs = exported_weights(m, x, op)
        attrs = {k: v for k, v in attrs.items() if v is not None}
        assert attrs.get("hidden_size") == H, attrs
        low = op.lower()
        with torch.no_grad():
            y = m(x)[0]  # [T, B, H]
            # Every position (Y [T, 1, B, H]) and the last state (Y_h [1, B, H]).
            write_case("test_torch_" + low, op, attrs,
                       [("X", x, FLOAT), ("W", w, FLOAT), ("R", r, FLOAT), ("B", b, FLOAT)],
                       [("Y", y.unsqueeze(1), FLOAT), ("Y_h", y[-1:], FLOAT)])
            # Lengths 4, 2, 3: PyTorch on a packed batch; Y is 0 past a sample's length.
            lens = torch.tensor([4, 2, 3])
            packed = torch.nn.utils.rnn.pack_padded_sequence(x, lens, enforce_sorted=False)
            out, state = m(packed)
            y, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=T)
            h = state[0] if op == "LSTM" else state
            write_case("test_torch_" + low + "_sequence_lens", op, attrs,
                       [("X", x, FLOAT), ("W", w, FLOAT), ("R", r, FLOAT), ("B", b, FLOAT),
                        ("sequence_lens", lens, INT32)],
                       [("", None, None), ("Y_h", h, FLOAT)])
    # Both directions (bidirectional=True): ONNX's direction = "bidirectional".
    for op, cls, seed, with_lens in (("LSTM", torch.nn.LSTM, 4, False), ("GRU", torch.nn.GRU, 5, True)):
        torch.manual_seed(seed)
        m = cls(D, H, bidirectional=True)
        with torch.no_grad():
            for p in m.parameters():
                p.uniform_(-0.8, 0.8)
        x = torch.randn(T, B, D)
        (w, r, b), attrs = exported_weights(m, x, op)
        attrs = {k: v for k, v in attrs.items() if v is not None}
        assert attrs.get("direction") == "bidirectional", attrs
        low = op.lower()
        with torch.no_grad():
            if not with_lens:
                y, state = m(x)  # y [T, B, 2H]: forward's state, then backward's
                h = state[0] if op == "LSTM" else state
                write_case("test_torch_%s_bidirectional" % low, op, attrs,
                           [("X", x, FLOAT), ("W", w, FLOAT), ("R", r, FLOAT), ("B", b, FLOAT)],
                           [("Y", y.view(T, B, 2, H).permute(0, 2, 1, 3).contiguous(), FLOAT), ("Y_h", h, FLOAT)])
            else:
                lens = torch.tensor([4, 2, 3])
                packed = torch.nn.utils.rnn.pack_padded_sequence(x, lens, enforce_sorted=False)
                _, state = m(packed)
                h = state[0] if op == "LSTM" else state  # [2, B, H]
                write_case("test_torch_%s_bidirectional_sequence_lens" % low, op, attrs,
                           [("X", x, FLOAT), ("W", w, FLOAT), ("R", r, FLOAT), ("B", b, FLOAT),
                            ("sequence_lens", lens, INT32)],
                           [("", None, None), ("Y_h", h, FLOAT)])
    print("wrote", OUT)


if __name__ == "__main__":
    main()
