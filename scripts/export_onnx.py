#!/usr/bin/env python3
"""Write the ONNX fixtures that tests/onnx.rs loads, with the outputs the exporters
and onnxruntime computed for them.

Run from the repository root:

    pip install torch onnx onnxruntime scikit-learn skl2onnx
    python3 scripts/export_onnx.py            # tests/fixtures/onnx, tests/ui/fail/onnx
    python3 scripts/export_onnx.py OUT_DIR UI_DIR    # or anywhere else

Seeds are fixed. The weights come out the same on every run; the bytes of the
PyTorch exports may change with the PyTorch version (producer version, node names).

Files written, each `NAME.onnx` with `NAME.json` beside it holding `inputs` (rows
of float32 values), `exporter` (what the exporting library computed for them:
PyTorch's forward pass, scikit-learn's `predict_proba`) and `onnxruntime` (what
onnxruntime computes from the file):

  torch_tanh_leaky.onnx  nn.Sequential(Linear(4, 8), Tanh(), Linear(8, 6),
                         LeakyReLU(0.2), Linear(6, 3), Softmax(dim=-1)), float32,
                         torch.onnx.export: Gemm nodes with transB = 1.
  torch_f64.onnx         nn.Sequential(Linear(3, 5), Tanh(), Linear(5, 4),
                         Sigmoid(), Linear(4, 2)) in float64 (`model.double()`):
                         double initializers, a last layer without activation
                         (onnxruntime has no double Elu, so none here).
  torch_gelu.onnx        nn.Sequential(Linear(3, 6), GELU(approximate="tanh"),
                         Linear(6, 4), ELU(0.5), Linear(4, 2), Softplus()) at
                         opset 20, where Gelu is an operator of its own.
  sklearn_mlp.onnx       scikit-learn's MLPClassifier(hidden_layer_sizes=(10, 6),
                         relu) trained on the iris data that scikit-learn ships,
                         converted by skl2onnx (zipmap off): MatMul + Add layers,
                         Softmax, and the label nodes (ArgMax, ...) beside them.
  sklearn_mlp_tanh.onnx  the same with activation="tanh".
  helper_matmul_add.onnx built with onnx.helper: MatMul then Add (bias first,
                         as some exporters write it) with float_data (not
                         raw_data), a Relu, then a Gemm with transB = 0,
                         alpha = 0.5 and beta = 2 and a bias of shape (1, out),
                         then Identity and Sigmoid.

and, for the compile errors of tests/ui/fail/onnx, `conv.onnx` (a Conv node where
a dense layer should be) and `truncated.onnx` (the first half of
torch_tanh_leaky.onnx).
"""

import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper


def run_onnxruntime(path, inputs):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    outputs = [o.name for o in session.get_outputs()]
    # The network's output: scikit-learn's probabilities, or the only output.
    wanted = "probabilities" if "probabilities" in outputs else outputs[0]
    return session.run([wanted], {name: inputs})[0]


def write(out_dir, name, inputs, exporter):
    path = os.path.join(out_dir, name + ".onnx")
    runtime = run_onnxruntime(path, inputs)
    record = {
        "inputs": inputs.astype(np.float64).tolist(),
        "exporter": np.asarray(exporter, dtype=np.float64).tolist(),
        "onnxruntime": np.asarray(runtime, dtype=np.float64).tolist(),
    }
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")
    gap = np.abs(np.asarray(exporter, np.float64) - np.asarray(runtime, np.float64)).max()
    print(f"{name}: {os.path.getsize(path)} bytes, exporter vs onnxruntime {gap:.3g}")


def inputs(rng, rows, width, scale=1.5):
    return (rng.standard_normal((rows, width)) * scale).astype(np.float32)


def torch_models(out_dir, rng):
    import torch
    from torch import nn

    def export(model, name, x, dtype, opset):
        model.eval()
        with torch.no_grad():
            expected = model(torch.from_numpy(x.astype(dtype))).numpy()
        path = os.path.join(out_dir, name + ".onnx")
        torch.onnx.export(
            model,
            (torch.from_numpy(x.astype(dtype)),),
            path,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            opset_version=opset,
            dynamo=False,
        )
        # A model written by an older exporter keeps its weights in the file.
        onnx.save_model(onnx.load(path), path, save_as_external_data=False)
        write(out_dir, name, x.astype(dtype), expected)

    torch.manual_seed(7)
    model = nn.Sequential(
        nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.LeakyReLU(0.2),
        nn.Linear(6, 3), nn.Softmax(dim=-1),
    )
    export(model, "torch_tanh_leaky", inputs(rng, 6, 4), np.float32, 13)

    torch.manual_seed(8)
    model = nn.Sequential(
        nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Sigmoid(), nn.Linear(4, 2),
    ).double()
    export(model, "torch_f64", inputs(rng, 6, 3), np.float64, 13)

    torch.manual_seed(9)
    model = nn.Sequential(
        nn.Linear(3, 6), nn.GELU(approximate="tanh"), nn.Linear(6, 4), nn.ELU(0.5),
        nn.Linear(4, 2), nn.Softplus(),
    )
    export(model, "torch_gelu", inputs(rng, 6, 3), np.float32, 20)


def sklearn_models(out_dir, rng):
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.neural_network import MLPClassifier

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    for name, activation in [("sklearn_mlp", "relu"), ("sklearn_mlp_tanh", "tanh")]:
        model = MLPClassifier(
            hidden_layer_sizes=(10, 6), activation=activation, max_iter=2000, random_state=0
        ).fit(x, y)
        onx = to_onnx(
            model, x[:1], options={id(model): {"zipmap": False}}, target_opset=13
        )
        onnx.save_model(onx, os.path.join(out_dir, name + ".onnx"))
        rows = x[rng.choice(len(x), 6, replace=False)]
        write(out_dir, name, rows, model.predict_proba(rows))


def helper_model(out_dir, rng):
    w0 = rng.standard_normal((3, 4)).astype(np.float32)  # MatMul: (in, out)
    b0 = rng.standard_normal(4).astype(np.float32)
    w1 = rng.standard_normal((4, 2)).astype(np.float32)  # Gemm, transB = 0: (in, out)
    b1 = rng.standard_normal((1, 2)).astype(np.float32)
    alpha, beta = 0.5, 2.0

    def const(name, array):
        return helper.make_tensor(
            name, TensorProto.FLOAT, array.shape, array.flatten().tolist(), raw=False
        )

    nodes = [
        helper.make_node("MatMul", ["x", "w0"], ["z0"], name="matmul0"),
        helper.make_node("Add", ["b0", "z0"], ["a0"], name="add0"),
        helper.make_node("Relu", ["a0"], ["h0"], name="relu0"),
        helper.make_node(
            "Gemm", ["h0", "w1", "b1"], ["z1"], name="gemm1", alpha=alpha, beta=beta, transB=0
        ),
        helper.make_node("Identity", ["z1"], ["i1"], name="identity1"),
        helper.make_node("Sigmoid", ["i1"], ["y"], name="sigmoid1"),
    ]
    graph = helper.make_graph(
        nodes,
        "helper",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
        [const("w0", w0), const("b0", b0), const("w1", w1), const("b1", b1)],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx.helper"
    )
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save_model(model, os.path.join(out_dir, "helper_matmul_add.onnx"))
    x = inputs(rng, 6, 3)
    h = np.maximum(x.astype(np.float64) @ w0 + b0, 0)
    expected = 1 / (1 + np.exp(-(alpha * h @ w1 + beta * b1)))
    write(out_dir, "helper_matmul_add", x, expected)


def refused_models(ui_dir, out_dir):
    """The models tests/ui/fail/onnx compiles against: a Conv where a dense layer
    of `4 => 8 tanh => ...` should be, and the PyTorch export cut in half."""
    w = np.ones((8, 4, 1), dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w"], ["z"], name="conv0"),
            helper.make_node("Tanh", ["z"], ["y"], name="tanh0"),
        ],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])],
        [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten().tolist())],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.save_model(model, os.path.join(ui_dir, "conv.onnx"))
    with open(os.path.join(out_dir, "torch_tanh_leaky.onnx"), "rb") as f:
        whole = f.read()
    with open(os.path.join(ui_dir, "truncated.onnx"), "wb") as f:
        f.write(whole[: len(whole) // 2])


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join("tests", "fixtures", "onnx")
    ui_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join("tests", "ui", "fail", "onnx")
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(ui_dir, exist_ok=True)
    rng = np.random.default_rng(13)
    helper_model(out_dir, rng)
    sklearn_models(out_dir, rng)
    torch_models(out_dir, rng)
    refused_models(ui_dir, out_dir)


if __name__ == "__main__":
    main()
