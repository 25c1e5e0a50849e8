//! `mlp` with neither `std` nor an allocator, as firmware uses it.
//!
//! This crate is `#![no_std]` and depends on `mlp` with default features off, so
//! `mlp-core` is built without `std` and without `alloc`. It declares three networks:
//!
//! - [`Placement`], with the weights of `examples/models/placement.safetensors`
//!   compiled in: inference from a constant, no file and no parsing at run time.
//! - [`Xor`], trained from a seed by stochastic gradient descent one sample at a
//!   time on the stack ([`mlp::Network::gradients_with`] in a
//!   [`mlp::Workspace::by_sample`], then [`mlp::Network::step`]).
//! - [`Digits`], `64 => 80 relu dropout(0.1) => 10 softmax`: a first layer of 5200
//!   parameters, which an allocator would put on the heap and which sits inline
//!   here, and dropout while training (a by-sample workspace made
//!   [`mlp::Workspace::dropout`]).
//!
//! With feature `alloc`, [`selftest_with_heap`] also loads a model from bytes,
//! predicts in batches, fits with Adam and compares the batch kernels with the
//! per-sample path.
//!
//! `tests/bare_metal.rs` runs [`selftest`] in `firmware/`, a Cortex-M4F program
//! (`thumbv7em-none-eabihf`) under QEMU, and in this crate built for the host as a
//! static library without std and called from `tests/selftest.c`; both builds fail
//! if anything they link needs `std` or a global allocator, and both reports must
//! match the same run with std.

#![no_std]
#![forbid(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub use mlp::Error;
use mlp::core::init::Uniform;
use mlp::prelude::*;

network! {
    /// The placement network (see `examples/placement.rs`) with its trained weights.
    pub struct Placement {
        4 => 3 sigmoid => 2 sigmoid => 1 sigmoid;
        loss = bce;
        weights = "../../examples/models/placement.safetensors";
    }
}

network! {
    /// Exclusive or.
    pub struct Xor {
        2 => 8 tanh => 1 sigmoid;
        loss = bce;
    }
}

network! {
    /// 8x8 digit images to one of ten classes.
    pub struct Digits {
        64 => 80 relu dropout(0.1) => 10 softmax;
        loss = sparse_cce;
    }
}

/// Built in: nothing to load before the first prediction.
pub static PLACEMENT: Placement = Placement::COMPILED;

/// The probability of placement for standardised scores.
pub fn placement(scores: &[f32; 4]) -> f32 {
    PLACEMENT.predict(scores)[0]
}

/// The four rows of exclusive or.
pub const XOR_INPUTS: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// Their labels.
pub const XOR_TARGETS: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

/// A network seeded with `seed`, trained on exclusive or for `epochs` epochs of
/// stochastic gradient descent (one step per row) at `learning_rate`; returns it
/// with the mean loss before and after.
pub fn train_xor(seed: u64, epochs: usize, learning_rate: f32) -> Result<(Xor, f32, f32), Error> {
    let mut net = Xor::seeded(seed);
    let mut grads = Gradients::zeros();
    let before = net.loss_with(&mut Workspace::by_sample(), &XOR_INPUTS, &XOR_TARGETS)?;
    for _ in 0..epochs {
        for (x, y) in XOR_INPUTS.iter().zip(&XOR_TARGETS) {
            let (x, y) = (core::slice::from_ref(x), core::slice::from_ref(y));
            net.gradients_with(&mut Workspace::by_sample(), x, y, &mut grads)?;
            net.step(&grads, learning_rate)?;
        }
    }
    let after = net.loss_with(&mut Workspace::by_sample(), &XOR_INPUTS, &XOR_TARGETS)?;
    Ok((net, before, after))
}

/// One descent step of `net` on a mini-batch, computed in `ws` (one sample at a
/// time, with dropout when `ws` is in training mode); `grads` is the scratch the
/// gradient is written to. Returns the loss before the step; on an invalid row
/// nothing changes.
pub fn digits_step(
    net: &mut Digits,
    grads: &mut Gradients<Digits>,
    images: &[[f32; 64]],
    labels: &[usize],
    ws: &mut Workspace<Digits>,
    learning_rate: f32,
) -> Result<f32, Error> {
    let loss = net.gradients_with(ws, images, labels, grads)?;
    net.step(grads, learning_rate)?;
    Ok(loss)
}

/// What [`selftest`] measured.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Report {
    /// [`placement`] of the scores `[1.2, 0.4, -0.3, 0.8]`.
    pub placement: f32,
    /// The exclusive-or loss before training (seed 1).
    pub xor_before: f32,
    /// The exclusive-or loss after 400 epochs at rate 0.5.
    pub xor_after: f32,
    /// Exclusive-or rows classified correctly after training, of 4.
    pub xor_correct: u32,
    /// The loss of [`Digits`] (seed 2) on eight random images before training.
    pub digits_before: f32,
    /// The same after 50 steps of rate 0.1 with dropout.
    pub digits_after: f32,
}

/// Runs the three networks as firmware would: a compiled-in prediction, training
/// exclusive or one row per step, and dropout steps of a network with a layer of
/// 5200 parameters.
pub fn selftest() -> Result<Report, Error> {
    let (xor, xor_before, xor_after) = train_xor(1, 400, 0.5)?;
    let xor_correct = XOR_INPUTS
        .iter()
        .zip(&XOR_TARGETS)
        .filter(|(x, y)| (xor.predict(x)[0] > 0.5) == (y[0] > 0.5))
        .count() as u32;

    let mut rng = Uniform::new(5);
    let mut images = [[0.0_f32; 64]; 8];
    for v in images.iter_mut().flatten() {
        *v = rng.unit() as f32;
    }
    let labels: [usize; 8] = core::array::from_fn(|i| i % 10);
    let (mut digits, mut grads) = (Digits::seeded(2), Gradients::zeros());
    let mut ws = Workspace::by_sample().dropout(6);
    let digits_before = digits.loss_with(&mut Workspace::by_sample(), &images, &labels)?;
    for _ in 0..50 {
        digits_step(&mut digits, &mut grads, &images, &labels, &mut ws, 0.1)?;
    }
    Ok(Report {
        placement: placement(&[1.2, 0.4, -0.3, 0.8]),
        xor_before,
        xor_after,
        xor_correct,
        digits_before,
        digits_after: digits.loss_with(&mut Workspace::by_sample(), &images, &labels)?,
    })
}

/// What [`selftest_with_heap`] measured.
#[cfg(feature = "alloc")]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeapReport {
    /// The largest difference between the batch predictions of the placement
    /// network loaded from bytes (every load check, test vector included) and the
    /// compiled-in network's one-sample predictions, over 64 rows.
    pub placement_difference: f32,
    /// The exclusive-or loss after `fit` (Adam at 0.05, full batch, 300 epochs,
    /// seed 3).
    pub xor_fit_loss: f32,
    /// The largest difference between [`Digits`]' gradient from the batch kernels
    /// and from one sample at a time, on eight random images.
    pub digits_gradient_difference: f32,
}

/// With an allocator: loads a model from bytes, predicts in batches, fits with
/// Adam, and compares the batch kernels' gradient with the per-sample one.
#[cfg(feature = "alloc")]
pub fn selftest_with_heap() -> Result<HeapReport, Error> {
    use mlp::core::io::{self, LoadOptions};
    use mlp::prelude::*;

    let bytes = include_bytes!("../../examples/models/placement.safetensors");
    let loaded: Placement = io::from_bytes(bytes, &LoadOptions::default())?;
    let mut rng = Uniform::new(11);
    let rows: alloc::vec::Vec<[f32; 4]> = (0..64)
        .map(|_| core::array::from_fn(|_| rng.between(-2.0, 2.0) as f32))
        .collect();
    let placement_difference = loaded
        .predict_batch(&rows)
        .iter()
        .zip(&rows)
        .map(|(batch, x)| (batch[0] - placement(x)).abs())
        .fold(0.0, f32::max);

    let mut xor = Xor::seeded(3);
    let settings = Fit::new()
        .epochs(300)
        .full_batch()
        .optimizer(Optimizer::adam())
        .learning_rate(0.05);
    xor.fit(&XOR_INPUTS, &XOR_TARGETS, &settings)?;
    let xor_fit_loss = xor.loss(&XOR_INPUTS, &XOR_TARGETS)?;

    let mut images = [[0.0_f32; 64]; 8];
    for v in images.iter_mut().flatten() {
        *v = rng.unit() as f32;
    }
    let labels: [usize; 8] = core::array::from_fn(|i| (3 * i) % 10);
    let digits = Digits::seeded(4);
    let batch = digits.gradients(&images, &labels)?;
    let mut by_sample = Gradients::zeros();
    digits.gradients_with(
        &mut Workspace::by_sample(),
        &images,
        &labels,
        &mut by_sample,
    )?;
    let digits_gradient_difference = batch
        .to_flat()
        .iter()
        .zip(by_sample.to_flat())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    Ok(HeapReport {
        placement_difference,
        xor_fit_loss,
        digits_gradient_difference,
    })
}

/// [`selftest`] for a C caller (`tests/selftest.c`): fills `report` and returns 0,
/// or returns 1 if a step was refused.
#[cfg(standalone)]
#[unsafe(no_mangle)]
pub extern "C" fn mlp_no_std_selftest(report: &mut Report) -> i32 {
    match selftest() {
        Ok(r) => {
            *report = r;
            0
        }
        Err(_) => 1,
    }
}

/// Parks the core: there is nothing to unwind to and nowhere to print. Only when
/// this crate is built on its own (`--cfg standalone`); a firmware binary brings
/// its own handler.
#[cfg(standalone)]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn compiled_placement_predicts_like_the_file() {
        let loaded = Placement::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/models/placement.safetensors"
        ))
        .unwrap();
        for x in [[1.2, 0.4, -0.3, 0.8], [-1.0, -0.5, 0.2, -1.3], [0.0; 4]] {
            let p = placement(&x);
            assert_eq!(p, loaded.predict(&x)[0]);
            assert!((0.0..=1.0).contains(&p));
        }
    }

    #[test]
    fn selftest_trains_both_networks() {
        let r = selftest().unwrap();
        std::println!("{r:?}");
        assert!(r.xor_after < 0.05 * r.xor_before, "{r:?}");
        assert_eq!(r.xor_correct, 4);
        assert!(r.digits_after < 0.5 * r.digits_before, "{r:?}");
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn selftest_with_heap_agrees_across_paths() {
        let r = selftest_with_heap().unwrap();
        std::println!("{r:?}");
        assert!(r.placement_difference < 1e-5, "{r:?}");
        assert!(r.xor_fit_loss < 0.05, "{r:?}");
        assert!(r.digits_gradient_difference < 1e-5, "{r:?}");
    }

    #[test]
    fn a_refused_step_changes_nothing() {
        let (mut net, mut grads) = (Digits::seeded(2), Gradients::zeros());
        let kept = net.clone();
        let images = [[0.5_f32; 64]; 3];
        let err = digits_step(
            &mut net,
            &mut grads,
            &images,
            &[3, 4, 10],
            &mut Workspace::by_sample().dropout(1),
            0.1,
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidTarget { row: 2, .. }), "{err}");
        assert_eq!(net, kept);
    }
}
