#!/usr/bin/env python3
"""Check a file saved with `SaveOptions::pytorch()` the way PyTorch would read it.

The counterpart of export_sequential.py: that script writes what PyTorch writes
for the Rust tests to load; this one reads what the Rust side writes for PyTorch.
It needs only numpy (the safetensors header is JSON, the data little-endian):

    pip install numpy
    python3 scripts/check_sequential.py net.safetensors
    python3 scripts/check_sequential.py net.safetensors --predict inputs.csv
    python3 scripts/check_sequential.py state_dict.safetensors \\
        --architecture "4 => 8 tanh => 6 relu => 3 softmax; loss = cce" --predict inputs.csv

It reads the architecture from the file's `mlp.architecture` metadata (or
`--architecture` for a file without it, such as PyTorch's own), checks that the
`{n}.weight` / `{n}.bias` keys are those of the matching `nn.Sequential` (each
layer an `nn.Linear`, then its activation module unless the activation is
`linear`, then `nn.Dropout` if the layer has dropout), and runs a float64 forward
pass over the stored parameters, which is what

    model.load_state_dict(safetensors.torch.load_file(path)); model.eval()

computes (in the model's dtype). Without `--predict` it runs the stored test
vector (`mlp.test_input`, `mlp.test_output`), prints the maximum absolute
difference and exits with status 1 if it is beyond the tolerance of the file's
dtype (1e-5 relative for float32, 1e-12 for float64). With `--predict CSV` it
prints one line of outputs per line of inputs (comma-separated; `#` lines are
skipped).
"""

import argparse
import json
import re
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64}
TOLERANCE = {"F32": 1e-5, "F64": 1e-12}


def read_safetensors(path):
    """The tensors (name -> (dtype, array)) and metadata of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    metadata = header.pop("__metadata__", None) or {}
    body = data[8 + length :]
    tensors = {}
    for name, entry in header.items():
        dtype = entry["dtype"]
        if dtype not in DTYPES:
            sys.exit(f"{path}: tensor {name} is {dtype}; only F32 and F64 are read")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=np.dtype(DTYPES[dtype]).newbyteorder("<"))
        tensors[name] = (dtype, array.reshape(entry["shape"]))
    return tensors, metadata


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softplus(z):
    return np.logaddexp(0.0, z)


def gelu_tanh(z):
    return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))


# Name -> (function of z and the parameter, default parameter).
ACTIVATIONS = {
    "sigmoid": (lambda z, p: sigmoid(z), None),
    "tanh": (lambda z, p: np.tanh(z), None),
    "relu": (lambda z, p: np.maximum(z, 0.0), None),
    "leaky_relu": (lambda z, p: np.where(z > 0, z, p * z), 0.01),
    "elu": (lambda z, p: np.where(z > 0, z, p * np.expm1(np.minimum(z, 0.0))), 1.0),
    "softplus": (lambda z, p: softplus(z), None),
    "gelu": (lambda z, p: gelu_tanh(z), None),
    "softmax": (lambda z, p: softmax(z), None),
    "linear": (lambda z, p: z, None),
}

LAYER = re.compile(
    r"^\s*(\d+)\s+([a-z_]+)\s*(?:\(\s*([^)]*)\))?\s*(dropout\s*\([^)]*\))?\s*$"
)


def parse_architecture(text):
    """`4 => 8 relu dropout(0.2) => 1 sigmoid; loss = bce` as the input width and
    a list of (width, activation, parameter, has dropout)."""
    body = text.split(";")[0]
    parts = body.split("=>")
    layers = []
    for part in parts[1:]:
        m = LAYER.match(part)
        if not m or m.group(2) not in ACTIVATIONS:
            sys.exit(f"architecture {text!r}: cannot read layer {part.strip()!r}")
        name = m.group(2)
        param = float(m.group(3)) if m.group(3) else ACTIVATIONS[name][1]
        layers.append((int(m.group(1)), name, param, m.group(4) is not None))
    return int(parts[0]), layers


def sequential_indices(layers):
    """The index of each layer's nn.Linear in the matching nn.Sequential."""
    indices, index = [], 0
    for _, name, _, dropout in layers:
        indices.append(index)
        index += 1 + (name != "linear") + dropout
    return indices


def forward(tensors, layers, x):
    a = np.asarray(x, dtype=np.float64)
    for index, (_, name, param, _) in zip(sequential_indices(layers), layers):
        weight = tensors[f"{index}.weight"][1].astype(np.float64)
        bias = tensors[f"{index}.bias"][1].astype(np.float64)
        a = ACTIVATIONS[name][0](a @ weight.T + bias, param)
    return a


def check_keys(tensors, n_in, layers):
    """Refuses keys other than the matching nn.Sequential's, or wrong shapes."""
    expected = {}
    width = n_in
    for index, (out, *_rest) in zip(sequential_indices(layers), layers):
        expected[f"{index}.weight"] = [out, width]
        expected[f"{index}.bias"] = [out]
        width = out
    found = {name: list(t[1].shape) for name, t in tensors.items()}
    if found != expected:
        sys.exit(
            "the keys and shapes are not those of the matching nn.Sequential:\n"
            f"  expected {sorted(expected.items())}\n  found    {sorted(found.items())}"
        )


def numbers(text):
    return np.array([float(v) for v in text.split(",")], dtype=np.float64)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("--architecture", help="for a file without mlp.architecture")
    parser.add_argument("--predict", metavar="CSV", help="print the outputs for these inputs")
    args = parser.parse_args(argv[1:])

    tensors, metadata = read_safetensors(args.file)
    architecture = args.architecture or metadata.get("mlp.architecture")
    if architecture is None:
        sys.exit(f"{args.file} has no mlp.architecture; give --architecture")
    n_in, layers = parse_architecture(architecture)
    check_keys(tensors, n_in, layers)

    if args.predict:
        rows = [
            [float(v) for v in line.split(",")]
            for line in open(args.predict, encoding="utf-8")
            if line.strip() and not line.startswith("#")
        ]
        for row in forward(tensors, layers, np.array(rows)):
            print(",".join(repr(float(v)) for v in row))
        return 0

    if "mlp.test_input" not in metadata:
        sys.exit(f"{args.file} has no test vector (mlp.test_input)")
    x = numbers(metadata["mlp.test_input"])
    want = numbers(metadata["mlp.test_output"])
    got = forward(tensors, layers, x)
    dtype = next(iter(tensors.values()))[0]
    diff = np.abs(got - want)
    print(f"{args.file}: {architecture}")
    print(f"max abs difference {diff.max():.3e} over {len(want)} outputs ({dtype})")
    if np.any(diff > TOLERANCE[dtype] * (1.0 + np.abs(want))):
        print(f"beyond the {dtype} tolerance: stored {want.tolist()}, computed {got.tolist()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
