#!/usr/bin/env python3
"""Run an ONNX model with onnxruntime on rows read from stdin and print its outputs.

    python3 scripts/check_onnx.py model.onnx < inputs.csv

Each input line is one row of comma-separated numbers, given to the model's first
input in the element type it declares (float or double); each output line is the
row the model's first output gives for it, at full precision. tests/onnx.rs runs it
on the models `save_onnx` writes.
"""

import sys

import numpy as np
import onnxruntime as ort


def main():
    session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
    model_input = session.get_inputs()[0]
    dtype = np.float64 if model_input.type == "tensor(double)" else np.float32
    rows = [[float(v) for v in line.split(",")] for line in sys.stdin if line.strip()]
    outputs = session.run(None, {model_input.name: np.array(rows, dtype=dtype)})[0]
    for row in outputs:
        print(",".join(repr(float(v)) for v in row))


if __name__ == "__main__":
    main()
