//! Every kernel against a plain scalar computation of the same formula, for layer
//! sizes on and off the block sizes and batches on and off the vector widths.

use super::*;
use crate::init::Uniform;

fn layer<const IN: usize, const OUT: usize>(rng: &mut Uniform) -> Dense<f64, IN, OUT> {
    let mut d = Dense::<f64, IN, OUT>::zeros();
    d.weight = d.weight.map(|_| rng.between(-1.0, 1.0));
    d.bias = d.bias.map(|_| rng.between(-1.0, 1.0));
    d
}

fn batch<const N: usize>(n: usize, rng: &mut Uniform) -> Batch<f64, N> {
    let rows: Vec<[f64; N]> = (0..n)
        .map(|_| core::array::from_fn(|_| rng.between(-1.0, 1.0)))
        .collect();
    let mut b = Batch::new(n);
    b.load(&rows);
    b
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

fn check<const IN: usize, const OUT: usize>(n: usize) {
    let mut rng = Uniform::new((IN * 1000 + OUT * 10 + n) as u64);
    let l = layer::<IN, OUT>(&mut rng);
    let x = batch::<IN>(n, &mut rng);
    let delta = batch::<OUT>(n, &mut rng);

    let mut z = Batch::<f64, OUT>::new(n);
    dense_forward(&l, &x, &mut z);
    let mut gx = Batch::<f64, IN>::new(n);
    dense_input_gradient(&l, &delta, &mut gx);
    let mut g = Dense::<f64, IN, OUT>::zeros();
    g.bias.fill(0.5);
    let mut out = LayerBuffers::<f64, OUT>::new(n);
    out.delta = delta.clone();
    dense_gradient(&mut g, &x, &mut out);

    for s in 0..n {
        let (xs, ds) = (x.sample(s), delta.sample(s));
        let expected = l.weight * xs + l.bias;
        let single = dense_vector(&l, &xs);
        for o in 0..OUT {
            assert!(
                close(z.feature(o)[s], expected[o]),
                "forward {IN}x{OUT} n={n} s={s} o={o}"
            );
            assert!(close(single[o], expected[o]), "vector {IN}x{OUT} o={o}");
        }
        let back = l.weight.transpose() * ds;
        for i in 0..IN {
            assert!(
                close(gx.feature(i)[s], back[i]),
                "input gradient {IN}x{OUT} n={n} s={s} i={i}"
            );
        }
    }
    for o in 0..OUT {
        let db: f64 = delta.feature(o).iter().sum();
        assert!(
            close(g.bias[o], 0.5 + db),
            "bias gradient {IN}x{OUT} n={n} o={o}"
        );
        for i in 0..IN {
            let dw: f64 = delta
                .feature(o)
                .iter()
                .zip(x.feature(i))
                .map(|(d, x)| d * x)
                .sum();
            assert!(
                close(g.weight[(o, i)], dw),
                "weight gradient {IN}x{OUT} n={n} ({o}, {i})"
            );
        }
    }
}

#[test]
fn kernels_match_the_scalar_formulas() {
    for n in [1, 3, 8, 13, 16, 33, 300] {
        check::<1, 1>(n);
        check::<4, 3>(n);
        check::<3, 2>(n);
        check::<2, 8>(n);
        check::<8, 1>(n);
        check::<7, 13>(n);
        check::<13, 25>(n);
        check::<64, 32>(n);
        check::<300, 7>(n);
    }
}
