//! mlp (this project's library): the networks declared with `network!`, measured through the
//! library's own fast paths, as its `benches/networks.rs` does:
//! lat1 = `predict` on one sample (stack, no allocation); thr256 = `predict_batch_with` a reusable
//! workspace on 256 samples; train32 = `gradients_with` + `step` (forward + backward + plain SGD, lr 1e-3)
//! on a mini-batch of 32 with a workspace and a gradient buffer made once.
//! Weights, inputs and targets are drawn exactly as ../naive draws them (Rng(42); per layer
//! w[out][in] then b, U(+-1/sqrt(fan_in)); then x1, the 256 inputs, the 32 inputs, the targets),
//! and built with `from_flat` (weight rows (out, in), then bias, per layer).
use harness::*;
use mlp::{network, Gradients, Network, Workspace};

network! { struct N1 { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct N2 { 2 => 8 tanh => 1 sigmoid; loss = bce; } }
network! { struct N3 { 64 => 32 relu => 10 softmax; loss = cce; } }
network! { struct N4 { 784 => 128 relu => 64 relu => 10 softmax; loss = cce; } }
network! { struct N5 { 256 => 256 relu => 256 relu => 10 softmax; loss = cce; } }

/// Plain f64 forward pass over the flat parameters, to check the weight layout and `predict`.
fn reference(spec: &Spec, flat: &[f32], x: &[f32]) -> Vec<f32> {
    let (mut h, mut off) = (x.iter().map(|&v| v as f64).collect::<Vec<f64>>(), 0);
    for (l, w) in spec.sizes.windows(2).enumerate() {
        let (ni, no) = (w[0], w[1]);
        let (wt, b) = (&flat[off..off + ni * no], &flat[off + ni * no..off + ni * no + no]);
        off += ni * no + no;
        let mut z: Vec<f64> = (0..no)
            .map(|j| b[j] as f64 + (0..ni).map(|i| wt[j * ni + i] as f64 * h[i]).sum::<f64>())
            .collect();
        match spec.acts[l] {
            Act::Sigmoid => z.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
            Act::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
            Act::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
            Act::Softmax => {
                let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                z.iter_mut().for_each(|v| *v = (*v - m).exp());
                let s: f64 = z.iter().sum();
                z.iter_mut().for_each(|v| *v /= s);
            }
        }
        h = z;
    }
    h.iter().map(|&v| v as f32).collect()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

fn rows<const K: usize>(v: &[f32]) -> Vec<[f32; K]> {
    v.chunks_exact(K).map(|c| c.try_into().unwrap()).collect()
}

fn bench<N, const I: usize, const O: usize>(o: &Opts, sys: &str, spec: &Spec)
where
    N: Network<Scalar = f32, Input = [f32; I], Output = [f32; O], Target = [f32; O]>,
{
    if !o.want_net(spec.name) { return; }
    assert_eq!(N::WIDTHS, spec.sizes, "{}: widths", spec.name);
    let mut rng = Rng::new(42);
    let mut flat = Vec::with_capacity(N::PARAMS);
    for w in spec.sizes.windows(2) {
        let (ni, no) = (w[0], w[1]);
        let a = (1.0 / ni as f32).sqrt();
        for _ in 0..no * ni { flat.push(rng.sym(a)); }
        for _ in 0..no { flat.push(rng.sym(a)); }
    }
    let mut net = N::from_flat(&flat).expect("parameter count and finite values");

    let x1: [f32; I] = rng.vec(I).try_into().unwrap();
    let d_ref = max_diff(&net.predict(&x1), &reference(spec, &flat, &x1));
    run(o, sys, spec.name, "lat1", 1, || { bb(net.predict(bb(&x1))); });

    let xb = rows::<I>(&rng.vec(I * BATCH_THR));
    let mut yb = vec![[0.0f32; O]; BATCH_THR];
    let mut ws = Workspace::<N>::new(BATCH_THR);
    run(o, sys, spec.name, "thr256", BATCH_THR, || {
        net.predict_batch_with(&mut ws, bb(&xb), &mut yb).expect("outputs match inputs");
        bb(&yb);
    });
    net.predict_batch_with(&mut ws, &xb, &mut yb).expect("outputs match inputs");
    let d_batch = xb.iter().zip(&yb).map(|(x, y)| max_diff(&net.predict(x), y)).fold(0.0, f32::max);

    let xt = rows::<I>(&rng.vec(I * BATCH_TRAIN));
    let yt = rows::<O>(&targets(spec, BATCH_TRAIN, &mut rng));
    let mut ws = Workspace::<N>::new(BATCH_TRAIN);
    let mut grads = Gradients::<N>::zeros();
    let first = net.loss_with(&mut ws, &xt, &yt).expect("valid data");
    let mut last = f32::NAN;
    run(o, sys, spec.name, "train32", BATCH_TRAIN, || {
        last = net.gradients_with(&mut ws, bb(&xt), &yt, &mut grads).expect("valid data");
        net.step(&grads, LR).expect("finite gradients");
    });
    let bad = !(d_ref <= 1e-4 && d_batch <= 1e-4 && first.is_finite() && (last.is_finite() || !o.want_metric("train32")));
    eprintln!(
        "{} {} check: predict vs f64 reference max|diff| {:.1e}, predict_batch_with vs predict {:.1e}; \
         initial loss {} (ln2 = 0.693, ln10 = 2.303){}{}",
        sys, spec.name, d_ref, d_batch, first,
        if o.want_metric("train32") { format!(", final loss {}", last) } else { String::new() },
        if bad { "  WARNING" } else { "" }
    );
}

fn main() {
    let o = Opts::from_args();
    let sys = std::env::var("SYSTEM_NAME").unwrap_or_else(|_| "mlp".to_string());
    let feats: Vec<&str> = [("avx2", cfg!(target_feature = "avx2")), ("fma", cfg!(target_feature = "fma")),
                            ("avx512f", cfg!(target_feature = "avx512f"))]
        .iter().filter(|f| f.1).map(|f| f.0).collect();
    eprintln!("# {} target features: {}", sys, if feats.is_empty() { "baseline".to_string() } else { feats.join(" ") });
    bench::<N1, 4, 1>(&o, &sys, &NETS[0]);
    bench::<N2, 2, 1>(&o, &sys, &NETS[1]);
    bench::<N3, 64, 10>(&o, &sys, &NETS[2]);
    bench::<N4, 784, 10>(&o, &sys, &NETS[3]);
    bench::<N5, 256, 10>(&o, &sys, &NETS[4]);
}
