//! Large networks never pass through the stack: every public operation of a
//! 784-128-64-10 and of a 1024-1024-1024-10 network runs in a 256 KiB thread, as on
//! an audio callback, a game thread or an async executor.
//!
//! Each test runs one call in its own thread named after it. A stack overflow
//! aborts the whole test process, but the abort message names that thread
//! ("thread 'mnist::clone in 256 KiB' has overflowed its stack"); run with
//! `--test-threads=1` to see which call overflows first. The network a test
//! needs (when it does not test construction) is built beforehand on a large
//! stack, so each test measures only its own call.
//!
//! The release side: `cargo test --release -p mlp --all-features --test stack`.

use mlp::core::Network;
use mlp::core::io::{self, LoadOptions, SaveOptions};
use mlp::core::train::{Control, Fit, Optimizer, Rows, Trainer};
use mlp::prelude::*;
use std::path::PathBuf;

network! { struct Mnist { 784 => 128 relu => 64 relu => 10 softmax; loss = cce; } }
network! { struct Wide { 1024 => 1024 relu => 1024 relu => 10 softmax; loss = cce; } }

/// The stack of the thread every operation runs in.
const SMALL: usize = 256 * 1024;
/// The stack fixtures are prepared on, large enough for anything.
const LARGE: usize = 256 * 1024 * 1024;

/// Runs `f` in a thread named `name` with `stack` bytes of stack, passing on its
/// panic.
fn run_on<R: Send + 'static>(
    name: &str,
    stack: usize,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(stack)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs `f` in a thread with a 256 KiB stack.
fn small<R: Send + 'static>(name: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    run_on(name, SMALL, f)
}

/// Builds a fixture on a large stack.
fn prepared<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    run_on("fixture", LARGE, f)
}

/// A path in the temporary directory for this process and test.
fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mlp-stack-{}-{name}", std::process::id()))
}

fn quiet() -> Fit {
    Fit::new().progress(false).full_batch().learning_rate(0.01)
}

macro_rules! stack_tests {
    ($module:ident, $net:ident, rows = $rows:expr) => {
        mod $module {
            use super::*;

            type Net = $net;
            const IN: usize = Net::INPUTS;
            const OUT: usize = Net::OUTPUTS;

            fn name(op: &str) -> String {
                format!("{}::{op} in 256 KiB", stringify!($module))
            }

            /// A few rows with varied inputs and one-hot targets.
            fn data() -> (Vec<[f32; IN]>, Vec<[f32; OUT]>) {
                let inputs = (0..$rows)
                    .map(|r| std::array::from_fn(|i| ((i * 7 + r * 13) % 17) as f32 / 17.0))
                    .collect();
                let targets = (0..$rows)
                    .map(|r| std::array::from_fn(|k| if k == r % OUT { 1.0 } else { 0.0 }))
                    .collect();
                (inputs, targets)
            }

            fn fixture() -> Net {
                prepared(|| Net::seeded(7))
            }

            #[test]
            fn zeros() {
                let net = small(&name("zeros"), Net::zeros);
                assert!(net.to_flat().iter().all(|&v| v == 0.0));
            }

            #[test]
            fn new() {
                let net = small(&name("new"), Net::new);
                assert_eq!(net, prepared(|| Net::seeded(0)));
            }

            #[test]
            fn seeded() {
                let net = small(&name("seeded"), || Net::seeded(7));
                assert_eq!(net, fixture());
            }

            #[test]
            fn clone() {
                let net = fixture();
                let (net, copy) = small(&name("clone"), move || {
                    let copy = net.clone();
                    (net, copy)
                });
                assert_eq!(net.to_flat(), copy.to_flat());
            }

            #[test]
            fn clone_from() {
                let (source, mut copy) = prepared(|| (fixture(), Net::zeros()));
                let (source, copy) = small(&name("clone_from"), move || {
                    copy.clone_from(&source);
                    (source, copy)
                });
                assert_eq!(source.to_flat(), copy.to_flat());
            }

            #[test]
            fn eq() {
                let (a, b, c) = prepared(|| (Net::seeded(7), Net::seeded(7), Net::seeded(8)));
                let (same, different) = small(&name("eq"), move || (a == b, a == c));
                assert!(same && !different);
            }

            #[test]
            fn predict() {
                let net = fixture();
                let (inputs, _) = data();
                let x = inputs[0];
                let y = small(&name("predict"), move || net.predict(&x));
                assert!((y.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }

            #[test]
            fn predict_batch() {
                let net = fixture();
                let (inputs, _) = data();
                let y = small(&name("predict_batch"), move || net.predict_batch(&inputs));
                assert_eq!(y.len(), $rows);
            }

            #[test]
            fn loss() {
                let net = fixture();
                let (inputs, targets) = data();
                let loss = small(&name("loss"), move || net.loss(&inputs, &targets).unwrap());
                assert!(loss.is_finite());
            }

            #[test]
            fn gradients() {
                let net = fixture();
                let (inputs, targets) = data();
                let grads = small(&name("gradients"), move || {
                    net.gradients(&inputs, &targets).unwrap()
                });
                assert!(grads.norm() > 0.0);
            }

            #[test]
            fn step() {
                let mut net = fixture();
                let (inputs, targets) = data();
                let grads = prepared(move || fixture().gradients(&inputs, &targets).unwrap());
                let before = net.to_flat();
                net = small(&name("step"), move || {
                    net.step(&grads, 0.1).unwrap();
                    net
                });
                assert_ne!(net.to_flat(), before);
            }

            fn fit_with(op: &str, optimizer: Optimizer) {
                let mut net = fixture();
                let (inputs, targets) = data();
                let settings = quiet().epochs(2).optimizer(optimizer);
                let (net, history) = small(&name(op), move || {
                    let history = net.fit(&inputs, &targets, &settings).unwrap();
                    (net, history)
                });
                assert_eq!(history.epochs.len(), 2);
                assert_ne!(net.to_flat(), prepared(|| Net::seeded(7).to_flat()));
            }

            #[test]
            fn fit_sgd() {
                fit_with("fit_sgd", Optimizer::Sgd);
            }

            #[test]
            fn fit_adam() {
                fit_with("fit_adam", Optimizer::adam());
            }

            #[test]
            fn trainer_new() {
                let trainer = small(&name("trainer_new"), || {
                    Trainer::<Net>::new(quiet().optimizer(Optimizer::adam())).unwrap()
                });
                assert_eq!(trainer.epoch(), 0);
            }

            /// A trainer with Adam's state after one epoch, and the network it trained.
            fn trained() -> (Trainer<Net>, Net) {
                let (inputs, targets) = data();
                prepared(move || {
                    let mut net = Net::seeded(7);
                    let mut trainer =
                        Trainer::<Net>::new(quiet().epochs(3).optimizer(Optimizer::adam()))
                            .unwrap();
                    let rows = Rows::new(&inputs, &targets);
                    trainer
                        .run(&mut net, rows, None, 1, |_, _| Control::Continue)
                        .unwrap();
                    (trainer, net)
                })
            }

            #[test]
            fn trainer_run() {
                let (mut trainer, mut net) = trained();
                let (inputs, targets) = data();
                let history = small(&name("trainer_run"), move || {
                    let rows = Rows::new(&inputs, &targets);
                    trainer
                        .run(&mut net, rows, None, 1, |_, _| Control::Continue)
                        .unwrap()
                });
                assert_eq!(history.epochs.len(), 1);
            }

            #[test]
            fn trainer_to_bytes() {
                let (trainer, _) = trained();
                let bytes = small(&name("trainer_to_bytes"), move || {
                    trainer.to_bytes().unwrap()
                });
                assert!(!bytes.is_empty());
            }

            #[test]
            fn trainer_from_bytes() {
                let (trainer, _) = trained();
                let bytes = trainer.to_bytes().unwrap();
                let settings = trainer.settings().clone();
                let loaded = small(&name("trainer_from_bytes"), move || {
                    Trainer::<Net>::from_bytes(&bytes, settings).unwrap()
                });
                assert_eq!((loaded.epoch(), loaded.finished()), (1, false));
            }

            #[test]
            fn save() {
                let net = fixture();
                let path = temp_file(concat!(stringify!($module), "-save"));
                let written = path.clone();
                small(&name("save"), move || net.save(&written).unwrap());
                let read = path.clone();
                let loaded: Net = prepared(move || Net::load(&read).unwrap());
                std::fs::remove_file(&path).unwrap();
                assert_eq!(loaded, fixture());
            }

            #[test]
            fn load() {
                let path = temp_file(concat!(stringify!($module), "-load"));
                let written = path.clone();
                prepared(move || Net::seeded(7).save(&written).unwrap());
                let read = path.clone();
                let loaded = small(&name("load"), move || Net::load(&read).unwrap());
                std::fs::remove_file(&path).unwrap();
                assert_eq!(loaded, fixture());
            }

            #[test]
            fn to_bytes() {
                let net = fixture();
                let bytes = small(&name("to_bytes"), move || {
                    io::to_bytes(&net, &SaveOptions::default()).unwrap()
                });
                let loaded: Net =
                    prepared(move || io::from_bytes(&bytes, &LoadOptions::default()).unwrap());
                assert_eq!(loaded, fixture());
            }

            #[test]
            fn from_bytes() {
                let bytes =
                    prepared(|| io::to_bytes(&Net::seeded(7), &SaveOptions::default()).unwrap());
                let loaded: Net = small(&name("from_bytes"), move || {
                    io::from_bytes(&bytes, &LoadOptions::default()).unwrap()
                });
                assert_eq!(loaded, fixture());
            }

            #[cfg(feature = "json")]
            #[test]
            fn json() {
                let net = fixture();
                let loaded: Net = small(&name("json"), move || {
                    let text = io::json::to_json(&net, &SaveOptions::default()).unwrap();
                    io::json::from_json(&text, &LoadOptions::default()).unwrap()
                });
                assert_eq!(loaded, fixture());
            }

            #[test]
            fn to_flat() {
                let net = fixture();
                let flat = small(&name("to_flat"), move || net.to_flat());
                assert_eq!(flat.len(), Net::PARAMS);
            }

            #[test]
            fn from_flat() {
                let flat = prepared(|| Net::seeded(7).to_flat());
                let net = small(&name("from_flat"), move || Net::from_flat(&flat).unwrap());
                assert_eq!(net, fixture());
            }

            #[test]
            fn gradients_by_sample() {
                let net = fixture();
                let mut grads = prepared(Gradients::<Net>::zeros);
                let (inputs, targets) = data();
                grads = small(&name("gradients_by_sample"), move || {
                    net.gradients_with(&mut Workspace::by_sample(), &inputs, &targets, &mut grads)
                        .unwrap();
                    grads
                });
                assert!(grads.norm() > 0.0);
            }

            #[test]
            fn loss_by_sample() {
                let net = fixture();
                let (inputs, targets) = data();
                let loss = small(&name("loss_by_sample"), move || {
                    net.loss_with(&mut Workspace::by_sample(), &inputs, &targets)
                        .unwrap()
                });
                assert!(loss.is_finite());
            }
        }
    };
}

stack_tests!(mnist, Mnist, rows = 4);
stack_tests!(wide, Wide, rows = 2);
