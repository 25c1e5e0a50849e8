#!/usr/bin/env python3
"""Write the PyTorch interoperability fixtures that tests/pytorch.rs checks.

Run from the repository root (needs only numpy and safetensors):

    pip install numpy safetensors
    python3 scripts/export_sequential.py            # writes into tests/fixtures
    python3 scripts/export_sequential.py OUT_DIR    # or anywhere else

The output is deterministic (fixed seeds), so running it again reproduces the
committed files byte for byte.

It reproduces what PyTorch writes without needing PyTorch. For a model such as

    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(),
                          nn.Linear(6, 3), nn.Softmax(dim=-1))
    safetensors.torch.save_file(model.state_dict(), "sequential.safetensors")

the state dict holds `{n}.weight` with shape (out, in) and `{n}.bias` with shape
(out,), float32, for every `nn.Linear` at index `n` of the Sequential; the
activation (and dropout) modules take indices too but hold no parameters, and no
metadata is written. The parameters here are drawn the way `nn.Linear` initialises
them by default, weight and bias uniform in (-1/sqrt(in), 1/sqrt(in)), but with
the bound scaled up (by GAIN) so that, as in a trained network, the outputs vary
clearly from one input to the next: a freshly initialised deep sigmoid network
gives nearly the same output for every input, which would make a weak test.

Files written:

  sequential.safetensors   4 => 8 tanh => 6 relu => 3 softmax, PyTorch layout:
                           keys 0, 2, 4, weights (out, in).
  dense_in_out.safetensors the same parameters with every weight stored (in, out),
                           as scikit-learn's `coefs_` and Keras kernels hold them,
                           under the same Sequential keys.
  sequential_expected.csv  inputs and outputs of that network (both files).
  gelu_sigmoid.safetensors 3 => 6 gelu => 5 sigmoid => 4 gelu => 4 sigmoid
                           => 2 sigmoid with dropout modules in between, so the
                           keys are 0, 3, 6, 9, 11 (two-digit indices; not
                           consecutive). GELU is the tanh approximation,
                           `nn.GELU(approximate="tanh")`.
  gelu_sigmoid_expected.csv inputs and outputs of that network (dropout is the
                           identity at inference).

Each CSV line is one sample: the inputs, then the outputs, comma-separated, at
full precision; lines starting with `#` are comments. Inputs are float32 values;
the forward pass is computed in float64 from the float32 parameters.
"""

import os
import sys

import numpy as np
from safetensors.numpy import save_file

GAIN = 3.0


def linear_init(rng, n_in, n_out, gain):
    """Parameters of `nn.Linear(n_in, n_out)`: its default initialisation, uniform
    in (-1/sqrt(in), 1/sqrt(in)), with the bound multiplied by `gain`."""
    bound = gain / np.sqrt(n_in)
    weight = rng.uniform(-bound, bound, size=(n_out, n_in)).astype(np.float32)
    bias = rng.uniform(-bound, bound, size=(n_out,)).astype(np.float32)
    return weight, bias


def tanh(z):
    return np.tanh(z)


def relu(z):
    return np.maximum(z, 0.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gelu_tanh(z):
    """`nn.GELU(approximate="tanh")`."""
    return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def identity(z):
    return z


def build(rng, modules, gain):
    """A Sequential from a list of `("linear", in, out)` or activation functions.

    Returns the state dict (keys `{index}.weight`/`{index}.bias`) and the forward
    pass as a function of a batch of rows.
    """
    state = {}
    steps = []
    for index, module in enumerate(modules):
        if isinstance(module, tuple):
            _, n_in, n_out = module
            weight, bias = linear_init(rng, n_in, n_out, gain)
            state[f"{index}.weight"] = weight
            state[f"{index}.bias"] = bias
            w, b = weight.astype(np.float64), bias.astype(np.float64)
            steps.append(lambda a, w=w, b=b: a @ w.T + b)
        else:
            steps.append(module)

    def forward(x):
        a = np.asarray(x, dtype=np.float32).astype(np.float64)
        for step in steps:
            a = step(a)
        return a

    return state, forward


def inputs(rng, rows, width, scale):
    """Fixed input rows: zeros, then uniform values rounded to 3 decimals (f32)."""
    x = np.round(rng.uniform(-scale, scale, size=(rows, width)), 3)
    x[0, :] = 0.0
    return x.astype(np.float32)


def write_csv(path, header, x, y):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {header}\n")
        f.write(
            f"# {x.shape[1]} inputs (float32), then {y.shape[1]} outputs"
            " (float64 forward pass from the float32 parameters)\n"
        )
        for row_x, row_y in zip(x, y):
            # The shortest decimal that reads back as the same float32.
            cells = [np.format_float_positional(v, unique=True, trim="0") for v in row_x]
            cells += [repr(float(v)) for v in row_y]
            f.write(",".join(cells) + "\n")


def transposed(state):
    """Every weight stored (in, out), biases unchanged, same keys."""
    return {
        k: np.ascontiguousarray(v.T) if v.ndim == 2 else v for k, v in state.items()
    }


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join("tests", "fixtures")
    os.makedirs(out, exist_ok=True)
    written = []

    # Case 1 and 2: nn.Sequential(Linear(4, 8), Tanh, Linear(8, 6), ReLU,
    #                              Linear(6, 3), Softmax(dim=-1)).
    rng = np.random.default_rng(20240601)
    state, forward = build(
        rng, [("linear", 4, 8), tanh, ("linear", 8, 6), relu, ("linear", 6, 3), softmax],
        GAIN,
    )
    x = inputs(rng, 8, 4, 2.0)
    y = forward(x)

    path = os.path.join(out, "sequential.safetensors")
    save_file(state, path)
    written.append(path)
    path = os.path.join(out, "dense_in_out.safetensors")
    save_file(transposed(state), path)
    written.append(path)
    path = os.path.join(out, "sequential_expected.csv")
    write_csv(path, "4 => 8 tanh => 6 relu => 3 softmax", x, y)
    written.append(path)

    # Case 3: nn.Sequential(Linear(3, 6), GELU("tanh"), Dropout, Linear(6, 5),
    #   Sigmoid, Dropout, Linear(5, 4), GELU("tanh"), Dropout, Linear(4, 4),
    #   Sigmoid, Linear(4, 2), Sigmoid): linear layers at 0, 3, 6, 9, 11.
    rng = np.random.default_rng(20240602)
    state, forward = build(
        rng,
        [
            ("linear", 3, 6),
            gelu_tanh,
            identity,
            ("linear", 6, 5),
            sigmoid,
            identity,
            ("linear", 5, 4),
            gelu_tanh,
            identity,
            ("linear", 4, 4),
            sigmoid,
            ("linear", 4, 2),
            sigmoid,
        ],
        GAIN,
    )
    assert sorted(state) == sorted(
        f"{n}.{p}" for n in (0, 3, 6, 9, 11) for p in ("weight", "bias")
    )
    x = inputs(rng, 8, 3, 3.0)
    y = forward(x)
    path = os.path.join(out, "gelu_sigmoid.safetensors")
    save_file(state, path)
    written.append(path)
    path = os.path.join(out, "gelu_sigmoid_expected.csv")
    write_csv(
        path, "3 => 6 gelu => 5 sigmoid => 4 gelu => 4 sigmoid => 2 sigmoid", x, y
    )
    written.append(path)

    for path in written:
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main(sys.argv)
