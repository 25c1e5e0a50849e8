//! `mlp` with neither `std` nor an allocator, as firmware uses it.
//!
//! This crate is `#![no_std]` and depends on `mlp` with default features off, so
//! `mlp-core` is built without `std` and without `alloc`. It declares three networks:
//!
//! - [`Placement`], with the weights of `examples/models/placement.safetensors`
//!   compiled in: inference from a constant, no file and no parsing at run time.
//! - [`Xor`], trained from a seed by stochastic gradient descent one sample at a
//!   time on the stack ([`mlp::Network::gradients_by_sample`], then
//!   [`mlp::Network::step`]).
//! - [`Digits`], `64 => 80 relu dropout(0.1) => 10 softmax`: a first layer of 5200
//!   parameters, which an allocator would put on the heap and which sits inline
//!   here, and dropout while training ([`mlp::Network::dropout_gradients_by_sample`]).
//!
//! `tests/bare_metal.rs` builds this crate as a static library for
//! `thumbv7em-none-eabihf` (a Cortex-M4F), which fails if anything it links needs
//! `std` or a global allocator; the unit tests run the same functions on the host.

#![no_std]
#![forbid(missing_docs)]

use mlp::core::init::Uniform;
use mlp::{Error, Network, network};

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
    let mut grads = Xor::zeros();
    let before = net.loss_by_sample(&XOR_INPUTS, &XOR_TARGETS)?;
    for _ in 0..epochs {
        for (x, y) in XOR_INPUTS.iter().zip(&XOR_TARGETS) {
            let (x, y) = (core::slice::from_ref(x), core::slice::from_ref(y));
            net.gradients_by_sample(x, y, &mut grads)?;
            net.step(&grads, learning_rate)?;
        }
    }
    let after = net.loss_by_sample(&XOR_INPUTS, &XOR_TARGETS)?;
    Ok((net, before, after))
}

/// One descent step of `net` on a mini-batch with dropout masks drawn from
/// `masks`; `grads` is the scratch the gradient is written to. Returns the loss
/// before the step; on an invalid row nothing changes.
pub fn digits_step(
    net: &mut Digits,
    grads: &mut Digits,
    images: &[[f32; 64]],
    labels: &[usize],
    masks: &mut Uniform,
    learning_rate: f32,
) -> Result<f32, Error> {
    let loss = net.dropout_gradients_by_sample(images, labels, grads, masks)?;
    net.step(grads, learning_rate)?;
    Ok(loss)
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
    fn xor_trains_one_sample_at_a_time() {
        let (net, before, after) = train_xor(1, 400, 0.5).unwrap();
        std::println!("xor by sample: loss {before:.4} -> {after:.5}");
        assert!(after < 0.05 * before, "{before} -> {after}");
        for (x, y) in XOR_INPUTS.iter().zip(&XOR_TARGETS) {
            assert_eq!(net.predict(x)[0] > 0.5, y[0] > 0.5, "{x:?}");
        }
    }

    #[test]
    fn digits_steps_with_dropout_and_refuses_bad_rows() {
        let mut rng = Uniform::new(5);
        let images: std::vec::Vec<[f32; 64]> = (0..8)
            .map(|_| core::array::from_fn(|_| rng.unit() as f32))
            .collect();
        let labels: std::vec::Vec<usize> = (0..8).map(|i| i % 10).collect();
        let (mut net, mut grads) = (Digits::seeded(2), Digits::zeros());
        let before = net.loss_by_sample(&images, &labels).unwrap();
        for _ in 0..50 {
            digits_step(&mut net, &mut grads, &images, &labels, &mut rng, 0.1).unwrap();
        }
        let after = net.loss_by_sample(&images, &labels).unwrap();
        assert!(after < 0.5 * before, "{before} -> {after}");

        let kept = net.clone();
        let err = digits_step(
            &mut net,
            &mut grads,
            &images,
            &[3, 4, 5, 6, 7, 8, 9, 10],
            &mut rng,
            0.1,
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidTarget { row: 7, .. }), "{err}");
        assert_eq!(net, kept);
    }
}
