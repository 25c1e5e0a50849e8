#!/usr/bin/env python3
"""The coefficients of mlp's f32 tanh (`tanh_fast_f32` in mlp-core/src/simd/math.rs).

tanh(x) ~ x P(x^2) / Q(x^2), P of degree 6 and Q of degree 3 (Q's constant term 1),
fitted for the smallest largest relative error on [0, 10]: a linearised weighted least
squares (x P - tanh(x) Q = 0, weighted by 1 / (tanh(x) Q)), its weights updated from the
errors (Lawson) until the largest error stops falling. Prints the coefficients and the
fit's error in float64; the error of the f32 evaluation (about 2.5 units of
f32::EPSILON) is measured by mlp-core's tests.

Needs numpy: python3 scripts/fit_tanh.py
"""
import numpy as np

DEGREE_P, DEGREE_Q, UPPER = 6, 3, 10.0

x = np.concatenate([np.linspace(1e-4, UPPER, 20000), np.linspace(1e-4, 1.0, 4000)])
y = np.tanh(x)
t = x * x
columns = [x * t**i for i in range(DEGREE_P + 1)] + [-y * t**j for j in range(1, DEGREE_Q + 1)]
design = np.stack(columns, axis=1)

weight, lawson, best = 1.0 / y, np.ones_like(x), None
for _ in range(200):
    a = design * (weight * lawson)[:, None]
    scale = np.abs(a).max(axis=0)
    c = np.linalg.lstsq(a / scale, y * weight * lawson, rcond=None)[0] / scale
    p, q = c[: DEGREE_P + 1], np.concatenate([[1.0], c[DEGREE_P + 1 :]])
    big_q = sum(q[j] * t**j for j in range(DEGREE_Q + 1))
    error = (x * sum(p[i] * t**i for i in range(DEGREE_P + 1)) / big_q - y) / y
    if best is None or np.abs(error).max() < best[0]:
        best = (np.abs(error).max(), p.copy(), q.copy())
    weight = 1.0 / (y * np.abs(big_q))
    lawson *= np.abs(error) ** 0.5
    lawson /= lawson.mean()

worst, p, q = best
print(f"largest relative error of the fit (float64): {worst:.3e} = {worst / 2**-23:.3f} units of f32::EPSILON")
print("P:", ", ".join(repr(float(v)) for v in p))
print("Q:", ", ".join(repr(float(v)) for v in q))
