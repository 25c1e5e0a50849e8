//! Once a workspace exists, inference and training allocate nothing, and the
//! per-sample methods need no workspace: a global allocator counts every
//! allocation made while they run.

use mlp::core::Network;
use mlp::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

network! { struct Tiny { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce; } }
network! { struct Digits { 64 => 32 relu dropout(0.2) => 10 softmax; loss = sparse_cce; } }
network! { struct Mnist { 784 => 128 relu => 64 relu => 10 softmax; loss = cce; } }

fn check<N: Network<Scalar = f32>>(x: &[N::Input], y: &[N::Target]) {
    let mut net = N::seeded(1);
    let mut ws = Workspace::new(32);
    let mut grads = Gradients::zeros();
    let mut out = vec![N::Output::default(); x.len()];
    let mut by_sample = Workspace::by_sample();
    let mut dropping = Workspace::new(32).dropout(3);
    let mut dropping_by_sample = Workspace::by_sample().dropout(3);
    let n = allocations(|| {
        for _ in 0..3 {
            let _ = std::hint::black_box(net.predict(&x[0]));
            net.predict_batch_with(&mut ws, x, &mut out).unwrap();
            net.loss_with(&mut ws, x, y).unwrap();
            net.gradients_with(&mut ws, x, y, &mut grads).unwrap();
            net.step(&grads, 0.01).unwrap();
            net.gradients_with(&mut dropping, x, y, &mut grads).unwrap();
            // One sample at a time on the stack: no buffers at all.
            net.loss_with(&mut by_sample, x, y).unwrap();
            net.gradients_with(&mut by_sample, x, y, &mut grads)
                .unwrap();
            net.gradients_with(&mut dropping_by_sample, x, y, &mut grads)
                .unwrap();
        }
    });
    assert_eq!(n, 0, "{} allocated {n} times", core::any::type_name::<N>());
}

#[test]
fn steady_state_inference_and_training_allocate_nothing() {
    // 70 rows: more than the workspace's 32, so chunking is covered too.
    let x: Vec<[f32; 4]> = (0..70)
        .map(|i| [i as f32 / 70.0, 0.5, -0.25, 1.0])
        .collect();
    let y: Vec<[f32; 1]> = (0..70).map(|i| [(i % 2) as f32]).collect();
    check::<Tiny>(&x, &y);

    let x: Vec<[f32; 64]> = (0..70).map(|i| [(i % 16) as f32 / 16.0; 64]).collect();
    let y: Vec<usize> = (0..70).map(|i| i % 10).collect();
    check::<Digits>(&x, &y);

    let x: Vec<[f32; 784]> = (0..40).map(|i| [(i % 7) as f32 / 7.0; 784]).collect();
    let y: Vec<[f32; 10]> = (0..40)
        .map(|i| core::array::from_fn(|k| (k == i % 10) as u8 as f32))
        .collect();
    check::<Mnist>(&x, &y);
}

#[test]
fn the_counter_sees_allocations() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 10]))) >= 1);
}
