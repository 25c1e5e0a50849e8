//! The baseline the benchmarks compare against: a plain scalar multilayer perceptron.
//!
//! It is what a competent developer writes without SIMD intrinsics: weights in
//! row-major `Vec<f32>` of shape (out, in), biases in `Vec<f32>`, loops, one sample
//! at a time. Batches are a loop over samples; a training step is a per-sample
//! forward and backward pass accumulating the gradients, then an SGD update.
//! Buffers live in a [`Scratch`] made once, so no call allocates in steady state.
//!
//! The definitions are those of the `mlp` crate: `z = W a + b`, losses are means
//! over the batch, `bce` (mean over outputs too) and `cce` are computed from the
//! logits, and sigmoid+bce and softmax+cce use the fused output delta `a - y`.

/// A layer's activation function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
    /// Only as the output layer, paired with [`Loss::Cce`].
    Softmax,
}

/// The training loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Binary cross-entropy after a sigmoid output, mean over samples and outputs.
    Bce,
    /// Categorical cross-entropy after a softmax output, mean over samples.
    Cce,
}

/// One dense layer: `a = act(W x + b)`.
#[derive(Clone, Debug)]
pub struct Layer {
    pub inputs: usize,
    pub outputs: usize,
    /// Row-major, shape (outputs, inputs).
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub activation: Activation,
}

impl Layer {
    fn forward(&self, x: &[f32], z: &mut [f32], a: &mut [f32]) {
        let rows = self.weight.chunks_exact(self.inputs);
        for ((z, row), &b) in z.iter_mut().zip(rows).zip(&self.bias) {
            let mut sum = b;
            for (&w, &v) in row.iter().zip(x) {
                sum += w * v;
            }
            *z = sum;
        }
        activate(self.activation, z, a);
    }
}

fn activate(activation: Activation, z: &[f32], a: &mut [f32]) {
    match activation {
        Activation::Sigmoid => {
            for (a, &z) in a.iter_mut().zip(z) {
                *a = 1.0 / (1.0 + (-z).exp());
            }
        }
        Activation::Tanh => {
            for (a, &z) in a.iter_mut().zip(z) {
                *a = z.tanh();
            }
        }
        Activation::Relu => {
            for (a, &z) in a.iter_mut().zip(z) {
                *a = z.max(0.0);
            }
        }
        Activation::Softmax => {
            let max = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0;
            for (a, &z) in a.iter_mut().zip(z) {
                *a = (z - max).exp();
                sum += *a;
            }
            for a in a.iter_mut() {
                *a /= sum;
            }
        }
    }
}

/// Turns `dl/da` into `dl/dz` in place for a hidden layer.
fn activation_backward(activation: Activation, z: &[f32], a: &[f32], delta: &mut [f32]) {
    match activation {
        Activation::Sigmoid => {
            for (d, &a) in delta.iter_mut().zip(a) {
                *d *= a * (1.0 - a);
            }
        }
        Activation::Tanh => {
            for (d, &a) in delta.iter_mut().zip(a) {
                *d *= 1.0 - a * a;
            }
        }
        Activation::Relu => {
            // relu'(0) = 0.
            for (d, &z) in delta.iter_mut().zip(z) {
                if z <= 0.0 {
                    *d = 0.0;
                }
            }
        }
        Activation::Softmax => unreachable!("softmax is only an output layer, fused with cce"),
    }
}

/// Per-layer buffers for one sample, and the gradient accumulators of a training step.
pub struct Scratch {
    z: Vec<Vec<f32>>,
    a: Vec<Vec<f32>>,
    delta: Vec<Vec<f32>>,
    grad_weight: Vec<Vec<f32>>,
    grad_bias: Vec<Vec<f32>>,
}

/// A multilayer perceptron of dense layers.
#[derive(Clone, Debug)]
pub struct Mlp {
    pub layers: Vec<Layer>,
    pub loss: Loss,
}

impl Mlp {
    /// Builds a network of the given widths (input first) from parameters in the
    /// order of `mlp::Network::to_flat`: per layer the weight row by row, then the bias.
    ///
    /// # Panics
    /// If the counts do not match, or softmax is anywhere but on the output.
    pub fn from_flat(
        widths: &[usize],
        activations: &[Activation],
        loss: Loss,
        flat: &[f32],
    ) -> Self {
        assert_eq!(
            widths.len(),
            activations.len() + 1,
            "one activation per layer"
        );
        let mut rest = flat;
        let mut layers = Vec::with_capacity(activations.len());
        for (pair, &activation) in widths.windows(2).zip(activations) {
            let (inputs, outputs) = (pair[0], pair[1]);
            let (weight, tail) = rest.split_at(inputs * outputs);
            let (bias, tail) = tail.split_at(outputs);
            rest = tail;
            layers.push(Layer {
                inputs,
                outputs,
                weight: weight.to_vec(),
                bias: bias.to_vec(),
                activation,
            });
        }
        assert!(rest.is_empty(), "{} parameters left over", rest.len());
        for layer in &layers[..layers.len() - 1] {
            assert_ne!(
                layer.activation,
                Activation::Softmax,
                "softmax hidden layer"
            );
        }
        let last = layers.last().expect("at least one layer").activation;
        let pairing = match loss {
            Loss::Bce => Activation::Sigmoid,
            Loss::Cce => Activation::Softmax,
        };
        assert_eq!(last, pairing, "{loss:?} needs a {pairing:?} output");
        Self { layers, loss }
    }

    /// Every parameter in the order of [`Mlp::from_flat`].
    pub fn to_flat(&self) -> Vec<f32> {
        let mut flat = Vec::new();
        for layer in &self.layers {
            flat.extend_from_slice(&layer.weight);
            flat.extend_from_slice(&layer.bias);
        }
        flat
    }

    /// Buffers for [`Mlp::predict`], [`Mlp::predict_batch`] and [`Mlp::train_step`].
    pub fn scratch(&self) -> Scratch {
        let per_output =
            |f: fn(&Layer) -> usize| self.layers.iter().map(|l| vec![0.0; f(l)]).collect();
        Scratch {
            z: per_output(|l| l.outputs),
            a: per_output(|l| l.outputs),
            delta: per_output(|l| l.outputs),
            grad_weight: per_output(|l| l.outputs * l.inputs),
            grad_bias: per_output(|l| l.outputs),
        }
    }

    /// Runs the forward pass of one sample through every layer.
    fn forward(&self, s: &mut Scratch, x: &[f32]) {
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = s.a.split_at_mut(l);
            let input = if l == 0 { x } else { &done[l - 1] };
            layer.forward(input, &mut s.z[l], &mut rest[0]);
        }
    }

    /// The output for one sample.
    pub fn predict(&self, s: &mut Scratch, x: &[f32], out: &mut [f32]) {
        self.forward(s, x);
        out.copy_from_slice(s.a.last().expect("at least one layer"));
    }

    /// The output for every sample, one after the other.
    pub fn predict_batch<X: AsRef<[f32]>, Y: AsMut<[f32]>>(
        &self,
        s: &mut Scratch,
        inputs: &[X],
        outputs: &mut [Y],
    ) {
        for (x, y) in inputs.iter().zip(outputs) {
            self.predict(s, x.as_ref(), y.as_mut());
        }
    }

    /// One step of gradient descent on the mean loss of the batch; returns the loss
    /// before the step.
    pub fn train_step<X: AsRef<[f32]>, Y: AsRef<[f32]>>(
        &mut self,
        s: &mut Scratch,
        inputs: &[X],
        targets: &[Y],
        learning_rate: f32,
    ) -> f32 {
        assert_eq!(inputs.len(), targets.len());
        for g in s.grad_weight.iter_mut().chain(&mut s.grad_bias) {
            g.fill(0.0);
        }
        let outputs = self.layers.last().expect("at least one layer").outputs;
        let samples = inputs.len() as f32;
        // dl/dz of the output is (a - y) times the derivative of the reduction.
        let scale = match self.loss {
            Loss::Bce => 1.0 / (samples * outputs as f32),
            Loss::Cce => 1.0 / samples,
        };
        let mut loss_sum = 0.0;
        for (x, y) in inputs.iter().zip(targets) {
            let (x, y) = (x.as_ref(), y.as_ref());
            self.forward(s, x);
            loss_sum += self.sample_loss(s.z.last().expect("at least one layer"), y);
            self.backward(s, x, y, scale);
        }
        for (l, layer) in self.layers.iter_mut().enumerate() {
            for (w, &g) in layer.weight.iter_mut().zip(&s.grad_weight[l]) {
                *w -= learning_rate * g;
            }
            for (b, &g) in layer.bias.iter_mut().zip(&s.grad_bias[l]) {
                *b -= learning_rate * g;
            }
        }
        loss_sum / samples
    }

    /// The loss of one sample from its output logits.
    fn sample_loss(&self, z: &[f32], y: &[f32]) -> f32 {
        match self.loss {
            Loss::Bce => {
                // max(z, 0) - z y + ln(1 + e^-|z|) = -(y ln a + (1 - y) ln(1 - a)).
                let sum: f32 = z
                    .iter()
                    .zip(y)
                    .map(|(&z, &y)| z.max(0.0) - z * y + (-z.abs()).exp().ln_1p())
                    .sum();
                sum / z.len() as f32
            }
            Loss::Cce => {
                let max = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                let log_sum_exp = max + z.iter().map(|&v| (v - max).exp()).sum::<f32>().ln();
                -z.iter()
                    .zip(y)
                    .map(|(&z, &y)| y * (z - log_sum_exp))
                    .sum::<f32>()
            }
        }
    }

    /// Backpropagates one sample after [`Mlp::forward`], adding `scale * dl/dparams`
    /// to the gradient accumulators.
    fn backward(&self, s: &mut Scratch, x: &[f32], y: &[f32], scale: f32) {
        let last = self.layers.len() - 1;
        for ((d, &a), &y) in s.delta[last].iter_mut().zip(&s.a[last]).zip(y) {
            *d = (a - y) * scale;
        }
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let input = if l == 0 { x } else { &s.a[l - 1] };
            let (below, from_here) = s.delta.split_at_mut(l);
            let delta = &from_here[0];
            let grad_rows = s.grad_weight[l].chunks_exact_mut(layer.inputs);
            for ((row, gb), &d) in grad_rows.zip(&mut s.grad_bias[l]).zip(delta) {
                *gb += d;
                for (g, &v) in row.iter_mut().zip(input) {
                    *g += d * v;
                }
            }
            if l > 0 {
                let previous = &mut below[l - 1];
                previous.fill(0.0);
                for (row, &d) in layer.weight.chunks_exact(layer.inputs).zip(delta) {
                    for (p, &w) in previous.iter_mut().zip(row) {
                        *p += w * d;
                    }
                }
                let below_layer = &self.layers[l - 1];
                activation_backward(below_layer.activation, &s.z[l - 1], &s.a[l - 1], previous);
            }
        }
    }
}
