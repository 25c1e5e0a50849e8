//! The training workflow: batching, optimisers, schedules, regularisation, clipping,
//! validation, early stopping, divergence, callbacks and metrics.

use mlp::core::metrics;
use mlp::core::train::{Control, Fit, Optimizer, Rows, Schedule, Stop, fit};
use mlp::prelude::*;
use std::collections::BTreeMap;

network! { struct Xor { 2 => 8 tanh => 1 sigmoid; loss = bce; } }
network! { struct Line { 1 => 1 linear; loss = mse; scalar = f64; } }
network! { struct Classes { 2 => 3 softmax; loss = sparse_cce; scalar = f64; } }

const XOR_X: [[f32; 2]; 4] = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
const XOR_Y: [[f32; 1]; 4] = [[0.0], [1.0], [1.0], [0.0]];

fn quiet() -> Fit {
    Fit::new().progress(false)
}

#[test]
fn xor_is_learned_from_a_fixed_seed() {
    let mut net = Xor::seeded(3);
    let history = net
        .fit(
            &XOR_X,
            &XOR_Y,
            &quiet()
                .epochs(500)
                .full_batch()
                .optimizer(Optimizer::adam())
                .learning_rate(0.05),
        )
        .unwrap();
    let last = history.last().unwrap();
    println!(
        "xor: loss {:.4}, accuracy {:?}",
        last.train_loss.unwrap(),
        last.train_accuracy
    );
    assert_eq!(last.train_accuracy, Some(1.0));
    assert!(last.train_loss.unwrap() < 0.05);
    assert_eq!(history.epochs.len(), 500);
    assert_eq!(last.gradient_norms.len(), 2);
}

#[test]
fn every_batching_and_optimizer_lowers_the_loss() {
    let optimizers = [
        Optimizer::Sgd,
        Optimizer::momentum(),
        Optimizer::nesterov(),
        Optimizer::adam(),
        Optimizer::adamw(),
    ];
    for optimizer in optimizers {
        for settings in [
            quiet().full_batch(),
            quiet().mini_batch(3),
            quiet().stochastic(),
        ] {
            let mut net = Xor::seeded(1);
            let before = net.loss(&XOR_X, &XOR_Y).unwrap();
            let rate = if matches!(optimizer, Optimizer::Sgd) {
                0.5
            } else {
                0.02
            };
            net.fit(
                &XOR_X,
                &XOR_Y,
                &settings.epochs(50).optimizer(optimizer).learning_rate(rate),
            )
            .unwrap();
            let after = net.loss(&XOR_X, &XOR_Y).unwrap();
            assert!(after < before, "{optimizer:?}: {before} -> {after}");
        }
    }
}

/// One full-batch epoch from known weights, against the update rules by hand.
fn one_epoch(optimizer: Optimizer, settings: Fit) -> (f64, f64, f64, f64) {
    let x = [[1.0], [2.0]];
    let y = [[3.0], [5.0]];
    let mut net = Line::from_weights((([[0.5]], [0.25]),));
    let g = net.gradients(&x, &y).unwrap();
    let (gw, gb) = (g.layers.0.weight[0], g.layers.0.bias[0]);
    net.fit(
        &x,
        &y,
        &settings
            .epochs(1)
            .full_batch()
            .shuffle(false)
            .optimizer(optimizer),
    )
    .unwrap();
    (net.layers.0.weight[0], net.layers.0.bias[0], gw, gb)
}

#[test]
fn single_steps_follow_the_update_rules() {
    // SGD.
    let (w, b, gw, gb) = one_epoch(Optimizer::Sgd, quiet().learning_rate(0.1));
    assert!((w - (0.5 - 0.1 * gw)).abs() < 1e-15 && (b - (0.25 - 0.1 * gb)).abs() < 1e-15);
    // Momentum from zero velocity is SGD on the first step; Nesterov takes (1 + beta) g.
    let (w, _, gw, _) = one_epoch(Optimizer::momentum(), quiet().learning_rate(0.1));
    assert!((w - (0.5 - 0.1 * gw)).abs() < 1e-15);
    let (w, _, gw, _) = one_epoch(Optimizer::nesterov(), quiet().learning_rate(0.1));
    assert!((w - (0.5 - 0.1 * 1.9 * gw)).abs() < 1e-15);
    // Adam's first step is lr * g / (|g| + eps) after bias correction.
    let (w, b, gw, gb) = one_epoch(Optimizer::adam(), quiet().learning_rate(0.1));
    assert!(
        (w - (0.5 - 0.1 * gw / (gw.abs() + 1e-8))).abs() < 1e-12,
        "{w}"
    );
    assert!((b - (0.25 - 0.1 * gb / (gb.abs() + 1e-8))).abs() < 1e-12);
    // AdamW decays the weight (not the bias) by lr * decay first.
    let adamw = Optimizer::AdamW {
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weight_decay: 0.5,
    };
    let (w, b, gw, gb) = one_epoch(adamw, quiet().learning_rate(0.1));
    assert!((w - (0.5 * (1.0 - 0.05) - 0.1 * gw / (gw.abs() + 1e-8))).abs() < 1e-12);
    assert!((b - (0.25 - 0.1 * gb / (gb.abs() + 1e-8))).abs() < 1e-12);
    // L2 adds lambda w to the weight gradient only.
    let (w, b, gw, gb) = one_epoch(Optimizer::Sgd, quiet().learning_rate(0.1).l2(0.2));
    assert!((w - (0.5 - 0.1 * (gw + 0.2 * 0.5))).abs() < 1e-15);
    assert!((b - (0.25 - 0.1 * gb)).abs() < 1e-15);
    // Clipping scales the whole gradient to the given norm.
    let (w, b, gw, gb) = one_epoch(Optimizer::Sgd, quiet().learning_rate(0.1).clip_norm(1.0));
    let norm = (gw * gw + gb * gb).sqrt();
    assert!(norm > 1.0);
    assert!(
        (w - (0.5 - 0.1 * gw / norm)).abs() < 1e-15 && (b - (0.25 - 0.1 * gb / norm)).abs() < 1e-15
    );
}

#[test]
fn schedules() {
    let step = Schedule::Step {
        every: 10,
        gamma: 0.5,
    };
    assert_eq!(
        [
            step.rate(0.1, 0, 30),
            step.rate(0.1, 9, 30),
            step.rate(0.1, 10, 30)
        ],
        [0.1, 0.1, 0.05]
    );
    assert!((step.rate(0.1, 25, 30) - 0.025).abs() < 1e-15);
    // More decays than an i32 counts: the rate keeps falling, it does not wrap.
    // (A number of epochs a 32-bit usize, as on wasm32, still holds.)
    let slow = Schedule::Step {
        every: 1,
        gamma: 1.0 - 1e-10,
    };
    let far = i32::MAX as usize + 2;
    let expected = 0.1 * (1.0_f64 - 1e-10).powf(far as f64);
    assert!((slow.rate(0.1, far, far + 1) / expected - 1.0).abs() < 1e-9);
    let cosine = Schedule::Cosine { min_rate: 0.01 };
    assert_eq!(cosine.rate(0.1, 0, 11), 0.1);
    assert!((cosine.rate(0.1, 5, 11) - 0.055).abs() < 1e-15);
    assert!((cosine.rate(0.1, 10, 11) - 0.01).abs() < 1e-15);
    let mut net = Xor::seeded(1);
    let history = net
        .fit(
            &XOR_X,
            &XOR_Y,
            &quiet().epochs(11).learning_rate(0.1).schedule(cosine),
        )
        .unwrap();
    assert!((history.epochs[10].learning_rate - 0.01).abs() < 1e-12);
}

#[test]
fn same_seed_same_run_other_seed_other_run() {
    let run = |seed| {
        let mut net = Xor::seeded(1);
        net.fit(&XOR_X, &XOR_Y, &quiet().epochs(20).mini_batch(2).seed(seed))
            .unwrap();
        net
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

/// Training rows and validation rows that disagree: the validation loss gets worse
/// as training goes on.
/// Training inputs and labels, then validation inputs and labels.
type Split = (Vec<[f64; 2]>, Vec<usize>, Vec<[f64; 2]>, Vec<usize>);

fn conflicting() -> Split {
    let x: Vec<[f64; 2]> = (0..30)
        .map(|i| [(i % 5) as f64 / 4.0, (i % 3) as f64 / 2.0])
        .collect();
    let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let vy: Vec<usize> = y.iter().map(|c| (c + 1) % 3).collect();
    (x.clone(), y, x, vy)
}

#[test]
fn early_stopping_restores_the_best_weights() {
    let (x, y, vx, vy) = conflicting();
    let mut net = Classes::zeros();
    let mut snapshots = Vec::new();
    let settings = quiet()
        .epochs(200)
        .full_batch()
        .learning_rate(0.05)
        .early_stopping(3);
    let history = fit(
        &mut net,
        Rows::new(&x, &y),
        Some(Rows::new(&vx, &vy)),
        &settings,
        |_, n| {
            snapshots.push(n.clone());
            Control::Continue
        },
    )
    .unwrap();
    assert_eq!(history.stop, Stop::EarlyStopping);
    let best = history.best_epoch.unwrap();
    assert!(
        history.epochs.len() < 200 && history.epochs.len() == best + 4,
        "{}",
        history.epochs.len()
    );
    assert_eq!(net, snapshots[best]);
    let losses: Vec<f64> = history
        .epochs
        .iter()
        .map(|e| e.validation_loss.unwrap())
        .collect();
    assert!(losses[best] <= losses.iter().copied().fold(f64::INFINITY, f64::min));
    assert!(history.epochs[0].validation_accuracy.is_some());
}

#[test]
fn validation_split_holds_out_the_last_rows() {
    let (x, y, _, _) = conflicting();
    let mut net = Classes::zeros();
    let history = net
        .fit(&x, &y, &quiet().epochs(2).validation_split(0.2))
        .unwrap();
    assert!(history.epochs[1].validation_loss.is_some());
    let err = net
        .fit(&x, &y, &quiet().validation_split(0.01))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidSetting {
                setting: "validation_split",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn divergence_restores_the_last_complete_epoch() {
    let x: Vec<[f64; 1]> = (0..8).map(|i| [i as f64]).collect();
    let y: Vec<[f64; 1]> = (0..8).map(|i| [2.0 * i as f64]).collect();
    let mut net = Line::from_weights((([[0.5]], [0.0]),));
    let mut last = net.clone();
    let settings = quiet()
        .epochs(1000)
        .full_batch()
        .optimizer(Optimizer::Sgd)
        .learning_rate(10.0);
    let err = fit(&mut net, Rows::new(&x, &y), None, &settings, |_, n| {
        last = n.clone();
        Control::Continue
    })
    .unwrap_err();
    let Error::Diverged { epoch, .. } = err else {
        panic!("{err}")
    };
    println!("{err}");
    assert!(epoch > 0);
    assert_eq!(net, last);
    assert!(net.layers.0.weight[0].is_finite());
}

#[test]
fn bad_settings_and_rows_change_nothing() {
    let mut net = Xor::seeded(1);
    let before = net.clone();
    let cases = [
        (quiet().epochs(0), "epochs"),
        (quiet().learning_rate(0.0), "learning_rate"),
        (quiet().learning_rate(f64::NAN), "learning_rate"),
        (quiet().mini_batch(0), "mini_batch"),
        (quiet().l2(-1.0), "l2"),
        (quiet().clip_norm(0.0), "clip_norm"),
        (quiet().validation_split(1.5), "validation_split"),
        (quiet().early_stopping(0), "early_stopping"),
        (
            quiet().optimizer(Optimizer::Momentum {
                beta: 1.0,
                nesterov: false,
            }),
            "momentum",
        ),
        (
            quiet().schedule(Schedule::Step {
                every: 0,
                gamma: 0.5,
            }),
            "schedule",
        ),
    ];
    for (settings, name) in cases {
        let err = net.fit(&XOR_X, &XOR_Y, &settings).unwrap_err();
        assert!(
            matches!(err, Error::InvalidSetting { setting, .. } if setting == name),
            "{name}: {err}"
        );
    }
    let err = net
        .fit(&XOR_X, &[[0.0], [1.0], [2.0], [0.0]], &quiet())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "target row 2, column 0 is 2; bce expects a probability in [0, 1]"
    );
    assert_eq!(net, before);
}

#[test]
fn a_callback_can_stop_and_sees_every_epoch() {
    let mut net = Xor::seeded(1);
    let mut seen = Vec::new();
    let history = fit(
        &mut net,
        Rows::new(&XOR_X, &XOR_Y),
        None,
        &quiet().epochs(50),
        |e, _| {
            seen.push(e.epoch);
            if e.epoch == 4 {
                Control::Stop
            } else {
                Control::Continue
            }
        },
    )
    .unwrap();
    assert_eq!(seen, [0, 1, 2, 3, 4]);
    assert_eq!(history.stop, Stop::Callback);
}

#[test]
fn metrics_on_hand_checked_networks() {
    // Output k has weight (k - 1) on x0, so x0 > 0 predicts class 2, x0 < 0 class 0.
    let net = Classes::from_weights((([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]], [0.0, 0.1, 0.0]),));
    let x = [[2.0, 0.0], [-2.0, 0.0], [0.0, 0.0], [3.0, 1.0]];
    let labels = [2, 0, 1, 0];
    let m = metrics::confusion_matrix(&net, &x, &labels).unwrap();
    assert_eq!(
        (m.count(2, 2), m.count(0, 0), m.count(1, 1), m.count(0, 2)),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(m.accuracy(), 0.75);
    assert_eq!(metrics::accuracy(&net, &x, &labels).unwrap(), 0.75);
    println!("{m}");

    let line = Line::from_weights((([[2.0]], [1.0]),));
    let x = [[0.0], [1.0]];
    let y = [[1.5], [2.0]];
    assert_eq!(
        metrics::mean_squared_error(&line, &x, &y).unwrap(),
        (0.25 + 1.0) / 2.0
    );
    assert_eq!(
        metrics::mean_absolute_error(&line, &x, &y).unwrap(),
        (0.5 + 1.0) / 2.0
    );
    assert_eq!(
        metrics::accuracy(&line, &x, &y).unwrap_err(),
        Error::NotAClassifier { loss: "mse" }
    );
}

#[test]
fn training_from_nalgebra_matrices() {
    use mlp::core::data::rows;
    use mlp::core::nalgebra::DMatrix;
    let x = DMatrix::from_row_slice(4, 2, &[0.0_f32, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    let y = DMatrix::from_row_slice(4, 1, &[0.0_f32, 1.0, 1.0, 0.0]);
    let mut net = Xor::seeded(3);
    let (x, y) = (rows(&x).unwrap(), rows(&y).unwrap());
    net.fit(
        &x,
        &y,
        &quiet().epochs(500).full_batch().learning_rate(0.05),
    )
    .unwrap();
    assert_eq!(metrics::accuracy(&net, &x, &y).unwrap(), 1.0);
    let wide = DMatrix::<f32>::zeros(4, 3);
    let err = rows::<f32, 2, _, _, _>(&wide).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the matrix has 3 columns; the network needs 2"
    );
}

/// Runs `epochs` epochs in one go, or in two parts with the trainer and the network
/// saved to bytes and loaded back in between; returns the weights and the epochs'
/// losses.
fn run_in_parts(settings: &Fit, split: Option<usize>) -> (Vec<f64>, Vec<f64>) {
    use mlp::core::Network;
    use mlp::core::io::{LoadOptions, SaveOptions, from_bytes, to_bytes};
    use mlp::core::train::Trainer;
    network! { struct Resumed { 3 => 12 tanh dropout(0.2) => 8 relu => 2 linear; loss = mse; scalar = f64; } }
    let x: Vec<[f64; 3]> = (0..40)
        .map(|i| [i as f64 / 40.0, (i % 7) as f64 / 7.0, (i % 3) as f64 - 1.0])
        .collect();
    let y: Vec<[f64; 2]> = x
        .iter()
        .map(|r| [r[0] * r[1] - r[2], r[0] + 0.5 * r[2]])
        .collect();
    let mut net = Resumed::seeded(5);
    let mut trainer = Trainer::new(settings.clone()).unwrap();
    let mut losses = Vec::new();
    let mut log = |e: &mlp::core::train::Epoch, _: &Resumed| {
        losses.push(e.step_loss);
        Control::Continue
    };
    if let Some(first) = split {
        trainer
            .run(&mut net, Rows::new(&x, &y), None, first, &mut log)
            .unwrap();
        assert_eq!(trainer.epoch(), first);
        let (net_bytes, trainer_bytes) = (
            to_bytes(&net, &SaveOptions::default()).unwrap(),
            trainer.to_bytes().unwrap(),
        );
        net = from_bytes(&net_bytes, &LoadOptions::default()).unwrap();
        trainer = Trainer::from_bytes(&trainer_bytes, settings.clone()).unwrap();
    }
    trainer
        .run(&mut net, Rows::new(&x, &y), None, usize::MAX, &mut log)
        .unwrap();
    assert!(trainer.finished());
    (net.to_flat(), losses)
}

#[test]
fn a_checkpointed_run_resumes_exactly() {
    for optimizer in [
        Optimizer::Sgd,
        Optimizer::nesterov(),
        Optimizer::adam(),
        Optimizer::adamw(),
    ] {
        let settings = quiet()
            .epochs(12)
            .mini_batch(7)
            .optimizer(optimizer)
            .learning_rate(0.01)
            .schedule(Schedule::Cosine { min_rate: 0.001 })
            .early_stopping(50)
            .seed(3);
        let whole = run_in_parts(&settings, None);
        for split in [1, 5, 11] {
            assert_eq!(
                run_in_parts(&settings, Some(split)),
                whole,
                "{optimizer:?}, paused after {split}"
            );
        }
    }
}

#[test]
fn a_trainer_saved_for_one_optimizer_does_not_load_for_another() {
    use mlp::core::train::Trainer;
    let trainer = Trainer::<Xor>::new(quiet().optimizer(Optimizer::adam())).unwrap();
    let bytes = trainer.to_bytes().unwrap();
    assert!(Trainer::<Xor>::from_bytes(&bytes, quiet().optimizer(Optimizer::adam())).is_ok());
    let err = Trainer::<Xor>::from_bytes(&bytes, quiet().optimizer(Optimizer::Sgd))
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            Error::InvalidSetting {
                setting: "optimizer",
                ..
            }
        ),
        "{err}"
    );
}

/// What a trainer's checkpoint holds: its metadata and tensors, in name order.
type Checkpoint = (BTreeMap<String, String>, BTreeMap<String, Vec<u8>>);

fn checkpoint<N: mlp::core::Network>(trainer: &mlp::core::train::Trainer<N>) -> Checkpoint {
    use safetensors::SafeTensors;
    let bytes = trainer.to_bytes().unwrap();
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = header.metadata().clone().unwrap_or_default();
    let tensors = SafeTensors::deserialize(&bytes).unwrap().tensors();
    (
        metadata.into_iter().collect(),
        tensors
            .into_iter()
            .map(|(name, t)| (name, t.data().to_vec()))
            .collect(),
    )
}

/// The line `y = 2x` on eight rows, trained hard enough to diverge.
fn steep_line() -> (Vec<[f64; 1]>, Vec<[f64; 1]>) {
    let x: Vec<[f64; 1]> = (0..8).map(|i| [i as f64]).collect();
    let y = x.iter().map(|r| [2.0 * r[0]]).collect();
    (x, y)
}

#[test]
fn a_diverged_epoch_leaves_the_trainer_as_before_it() {
    use mlp::core::train::Trainer;
    let (x, y) = steep_line();
    let rows = Rows::new(&x, &y);
    for (optimizer, rate) in [(Optimizer::momentum(), 10.0), (Optimizer::adam(), 1e153)] {
        let settings = quiet()
            .epochs(1000)
            .mini_batch(3)
            .optimizer(optimizer)
            .learning_rate(rate)
            .early_stopping(900);
        // One epoch at a time: the failing call leaves what the call before it left.
        let mut trainer = Trainer::new(settings.clone()).unwrap();
        let mut net = Line::from_weights((([[0.5]], [0.0]),));
        let err = loop {
            let (bytes, weights) = (checkpoint(&trainer), net.clone());
            match trainer.run(&mut net, rows, None, 1, |_, _| Control::Continue) {
                Ok(_) => assert!(!trainer.finished(), "{optimizer:?} did not diverge"),
                Err(err) => {
                    assert_eq!(checkpoint(&trainer), bytes, "{optimizer:?}");
                    assert_eq!(net, weights, "{optimizer:?}");
                    break err;
                }
            }
        };
        let Error::Diverged { epoch, .. } = err else {
            panic!("{err}")
        };
        assert!(
            epoch > 0 && trainer.epoch() == epoch,
            "{optimizer:?}: {err}"
        );
        // In one call: the trainer equals one paused before the failing epoch.
        let mut whole = Trainer::new(settings.clone()).unwrap();
        let mut net = Line::from_weights((([[0.5]], [0.0]),));
        let err = whole
            .run(&mut net, rows, None, usize::MAX, |_, _| Control::Continue)
            .unwrap_err();
        assert!(matches!(err, Error::Diverged { epoch: e, .. } if e == epoch));
        let mut paused = Trainer::new(settings).unwrap();
        let mut paused_net = Line::from_weights((([[0.5]], [0.0]),));
        paused
            .run(&mut paused_net, rows, None, epoch, |_, _| Control::Continue)
            .unwrap();
        assert_eq!(checkpoint(&whole), checkpoint(&paused));
        assert_eq!(net, paused_net);
    }
}

#[test]
fn a_non_finite_validation_loss_stops_training() {
    // Validation at x = 1e153 overflows the squared error once the slope passes ~13.
    let x: Vec<[f64; 1]> = (0..8).map(|i| [i as f64 / 8.0]).collect();
    let y: Vec<[f64; 1]> = x.iter().map(|r| [20.0 * r[0]]).collect();
    let (vx, vy) = ([[1e153]], [[0.0]]);
    let mut net = Line::from_weights((([[0.5]], [0.0]),));
    let mut last = net.clone();
    let settings = quiet()
        .epochs(5000)
        .full_batch()
        .optimizer(Optimizer::Sgd)
        .learning_rate(0.1);
    let err = fit(
        &mut net,
        Rows::new(&x, &y),
        Some(Rows::new(&vx, &vy)),
        &settings,
        |e, n| {
            assert!(e.validation_loss.unwrap().is_finite());
            last = n.clone();
            Control::Continue
        },
    )
    .unwrap_err();
    let Error::ValidationDiverged { epoch, loss } = err else {
        panic!("{err}")
    };
    assert!(epoch > 0 && loss.is_infinite(), "{err}");
    assert!(err.to_string().contains("validation loss"), "{err}");
    assert_eq!(net, last);
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "panics abort on wasm32: catch_unwind catches none"
)]
fn a_panicking_callback_leaves_the_last_complete_epoch() {
    use mlp::core::train::Trainer;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let (x, y, vx, vy) = conflicting();
    let (train, validation) = (Rows::new(&x, &y), Some(Rows::new(&vx, &vy)));
    let settings = quiet()
        .epochs(200)
        .full_batch()
        .learning_rate(0.05)
        .early_stopping(3);
    let mut whole = Trainer::new(settings.clone()).unwrap();
    let mut best = Classes::zeros();
    let history = whole
        .run(&mut best, train, validation, usize::MAX, |_, _| {
            Control::Continue
        })
        .unwrap();
    let last = history.epochs.len() - 1;
    assert_eq!(history.stop, Stop::EarlyStopping);

    // `fit`: the network holds the epoch the callback saw, not the best one.
    let mut net = Classes::zeros();
    let mut seen = Vec::new();
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        fit(&mut net, train, validation, &settings, |e, n| {
            seen.push(n.clone());
            assert!(e.epoch < last, "callback panics in epoch {}", e.epoch);
            Control::Continue
        })
    }));
    assert!(panicked.is_err());
    assert_eq!(seen.len(), last + 1);
    assert_eq!(net, seen[last]);
    assert_ne!(net, best);

    // `Trainer::run`: the trainer has completed the epoch, and running it again
    // ends exactly as the uninterrupted run did.
    for panic_at in [2, last] {
        let mut trainer = Trainer::new(settings.clone()).unwrap();
        let mut net = Classes::zeros();
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            trainer.run(&mut net, train, validation, usize::MAX, |e, _| {
                assert!(e.epoch < panic_at, "callback panics in epoch {}", e.epoch);
                Control::Continue
            })
        }));
        assert!(panicked.is_err());
        assert_eq!((trainer.epoch(), trainer.finished()), (panic_at + 1, false));
        let rest = trainer
            .run(&mut net, train, validation, usize::MAX, |_, _| {
                Control::Continue
            })
            .unwrap();
        assert_eq!(rest.stop, Stop::EarlyStopping, "panic in epoch {panic_at}");
        assert_eq!(rest.best_epoch, history.best_epoch);
        assert_eq!(net, best, "panic in epoch {panic_at}");
        assert_eq!(checkpoint(&trainer), checkpoint(&whole));
    }
}

mod issue_12 {
    use super::{Classes, Line, XOR_X, XOR_Y, Xor, quiet};
    use mlp::core::metrics::{self, ConfusionMatrix};
    use mlp::core::train::{Fit, Holdout, Metric, Optimizer, Plateau, Rows, Schedule, fit};
    use mlp::prelude::*;

    network! { struct Yes { 1 => 3 tanh => 1 sigmoid; loss = bce; scalar = f64; } }

    #[test]
    fn the_progress_bar_is_opt_in() {
        assert_eq!(Fit::new(), Fit::new().progress(false));
        assert_ne!(Fit::new(), Fit::new().progress(true));
    }

    /// 12 rows of class 0 then 4 of class 1, the last 4 of class 0.
    fn imbalanced() -> (Vec<[f64; 1]>, Vec<[f64; 1]>) {
        let labels = [0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0];
        let x = (0..16).map(|i| [i as f64 / 8.0 - 1.0]).collect();
        let y = labels.iter().map(|&l| [f64::from(l)]).collect();
        (x, y)
    }

    #[test]
    fn a_stratified_holdout_keeps_both_classes() {
        let (x, y) = imbalanced();
        let settings = quiet()
            .epochs(2)
            .validation_split(0.25)
            .metrics([Metric::RocAuc]);
        // The last 4 rows are all class 0: no ROC-AUC there.
        let e = Yes::seeded(1).fit(&x, &y, &settings).unwrap_err();
        assert_eq!(e, Error::OneClass { rows: 4, class: 0 });
        let h = Yes::seeded(1)
            .fit(&x, &y, &settings.clone().holdout(Holdout::Stratified))
            .unwrap();
        let auc = h.epochs[1].validation_metric(Metric::RocAuc).unwrap();
        assert!((0.0..=1.0).contains(&auc), "{auc}");
        assert_eq!(h.epochs[1].validation_metrics.len(), 1);
        let e = Line::seeded(1)
            .fit(
                &[[0.0], [1.0]],
                &[[0.0], [1.0]],
                &quiet().validation_split(0.5).holdout(Holdout::Stratified),
            )
            .unwrap_err();
        assert!(matches!(
            e,
            Error::NoClasses {
                what: "Holdout::Stratified",
                ..
            }
        ));
    }

    #[test]
    fn a_random_holdout_is_seeded() {
        let (x, y) = imbalanced();
        let run = |s: Fit| Yes::seeded(1).fit(&x, &y, &s.epochs(3)).unwrap();
        let random = quiet().validation_split(0.25).holdout(Holdout::Random);
        let (a, b) = (run(random.clone()), run(random.clone()));
        assert_eq!(a, b);
        let other = run(random.seed(9));
        let last = run(quiet().validation_split(0.25));
        let v = |h: &History| h.epochs[0].validation_loss.unwrap();
        assert_ne!(v(&a), v(&other));
        assert_ne!(v(&a), v(&last));
    }

    #[test]
    fn history_carries_class_metrics_per_epoch() {
        let x: Vec<[f64; 2]> = (0..30)
            .map(|i| [(i % 3) as f64 - 1.0, (i % 5) as f64 * 0.1])
            .collect();
        let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
        let chosen = [
            Metric::Precision,
            Metric::Recall,
            Metric::F1,
            Metric::LogLoss,
        ];
        let mut net = Classes::seeded(3);
        let h = net
            .fit(
                &x,
                &labels,
                &quiet()
                    .epochs(5)
                    .learning_rate(0.05)
                    .validation_split(0.3)
                    .metrics(chosen),
            )
            .unwrap();
        for e in &h.epochs {
            assert_eq!(
                e.train_metrics.iter().map(|m| m.0).collect::<Vec<_>>(),
                chosen
            );
            assert_eq!(e.validation_metrics.len(), 4);
        }
        let last = h.last().unwrap();
        let (vx, vy) = (&x[21..], &labels[21..]);
        let report = metrics::confusion_matrix(&net, vx, vy).unwrap().report();
        assert_eq!(last.validation_metric(Metric::F1), Some(report.macro_f1()));
        let probabilities = net.predict_batch(vx);
        let log_loss = metrics::log_loss(&probabilities, vy).unwrap();
        assert!((last.validation_metric(Metric::LogLoss).unwrap() - log_loss).abs() < 1e-12);
        // sparse_cce is the log-loss, to clipping.
        assert!((last.validation_loss.unwrap() - log_loss).abs() < 1e-9);
        let _ = ConfusionMatrix::from_labels(vy, vy, 3).unwrap();
        let e = Line::seeded(1)
            .fit(&[[0.0]], &[[0.0]], &quiet().metrics([Metric::F1]))
            .unwrap_err();
        assert!(matches!(e, Error::MetricNotApplicable { metric: "f1", .. }));
    }

    network! { struct Plane { 2 => 6 tanh => 2 linear; loss = mse; scalar = f64; } }

    /// 40 rows of two regression targets, one smooth in each input.
    fn plane() -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
        let x: Vec<[f64; 2]> = (0..40)
            .map(|i| [(i % 8) as f64 / 4.0 - 1.0, (i % 5) as f64 / 2.5 - 1.0])
            .collect();
        let y = x.iter().map(|r| [r[0] - 0.5 * r[1], r[1] * r[1]]).collect();
        (x, y)
    }

    #[test]
    fn history_carries_r2_per_epoch_and_early_stopping_maximises_it() {
        let (x, y) = plane();
        let settings = quiet()
            .epochs(30)
            .learning_rate(0.05)
            .validation_split(0.25)
            .metrics([Metric::R2, Metric::Loss]);
        let mut net = Plane::seeded(2);
        let h = net.fit(&x, &y, &settings).unwrap();
        let (vx, vy) = (&x[30..], &y[30..]);
        let last = h.last().unwrap();
        // The mean over the two outputs of sklearn's r2_score, as metrics::r2_score gives it.
        let want = metrics::r2_score(vy, &net.predict_batch(vx)).unwrap();
        assert_eq!(last.validation_metric(Metric::R2), Some(want));
        let train_r2 = last.train_metric(Metric::R2).unwrap();
        assert_eq!(
            train_r2,
            metrics::r2_score(&y[..30], &net.predict_batch(&x[..30])).unwrap()
        );
        assert!(h.epochs.iter().all(|e| e.validation_metrics.len() == 2));
        // Fitting improves R^2.
        assert!(h.epochs[0].validation_metric(Metric::R2).unwrap() < want);

        // As a monitor, higher is better: the kept epoch has the best R^2 seen.
        let mut net = Plane::seeded(2);
        let h = net
            .fit(
                &x,
                &y,
                &quiet()
                    .epochs(400)
                    .learning_rate(0.2)
                    .validation_split(0.25)
                    .monitor(Metric::R2)
                    .early_stopping(5),
            )
            .unwrap();
        let r2 = |e: &mlp::core::train::Epoch| e.validation_metric(Metric::R2).unwrap();
        let best = h.best_epoch.unwrap();
        let top = h.epochs.iter().map(r2).fold(f64::MIN, f64::max);
        assert_eq!(h.stop, mlp::core::train::Stop::EarlyStopping);
        assert_eq!(h.epochs.len(), best + 6);
        assert_eq!(r2(&h.epochs[best]), top);
        assert_eq!(metrics::r2_score(vy, &net.predict_batch(vx)).unwrap(), top);
    }

    #[test]
    fn r2_on_a_classifier_and_class_metrics_on_a_regression_are_typed_errors() {
        let (x, y) = ([[0.0], [1.0]], [[0.0], [1.0]]);
        for settings in [quiet().metrics([Metric::R2]), quiet().monitor(Metric::R2)] {
            let e = Yes::seeded(1).fit(&x, &y, &settings).unwrap_err();
            assert_eq!(
                e,
                Error::MetricNotApplicable {
                    metric: "r2",
                    loss: "bce",
                    outputs: 1,
                    reason: "it needs a regression loss (mse, sse, mae, huber)",
                }
            );
            assert!(
                e.to_string()
                    .starts_with("the metric r2 does not apply to a bce network"),
                "{e}"
            );
        }
        for m in [
            Metric::Accuracy,
            Metric::Precision,
            Metric::RocAuc,
            Metric::LogLoss,
        ] {
            let e = Line::seeded(1)
                .fit(&x, &y, &quiet().monitor(m))
                .unwrap_err();
            assert!(
                matches!(e, Error::MetricNotApplicable { loss: "mse", .. }),
                "{m:?}: {e}"
            );
        }
    }

    #[test]
    fn early_stopping_on_accuracy_keeps_the_most_accurate_epoch() {
        let mut net = Xor::seeded(3);
        let h = fit(
            &mut net,
            Rows::new(&XOR_X, &XOR_Y),
            Some(Rows::new(&XOR_X, &XOR_Y)),
            &quiet()
                .epochs(500)
                .full_batch()
                .learning_rate(0.05)
                .monitor(Metric::Accuracy)
                .early_stopping(20),
            |_, _| mlp::core::train::Control::Continue,
        )
        .unwrap();
        let accuracy = |e: usize| h.epochs[e].validation_accuracy.unwrap();
        let best = h.best_epoch.unwrap();
        let top = (0..h.epochs.len()).map(accuracy).fold(0.0, f64::max);
        assert_eq!(accuracy(best), top);
        assert!((0..best).all(|e| accuracy(e) < top));
        assert_eq!(h.epochs.len(), best + 21);
        assert_eq!(metrics::accuracy(&net, &XOR_X, &XOR_Y).unwrap(), top);
    }

    fn rates(h: &History) -> Vec<f64> {
        h.epochs.iter().map(|e| e.learning_rate).collect()
    }

    fn assert_rates(h: &History, expected: &[f64]) {
        let got = rates(h);
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-15, "{got:?} != {expected:?}");
        }
    }

    #[test]
    fn warm_up_climbs_then_hands_over_to_the_schedule() {
        let (x, y) = ([[1.0], [2.0]], [[3.0], [5.0]]);
        let run = |s: Fit| Line::seeded(1).fit(&x, &y, &s.epochs(5)).unwrap();
        let base = quiet().optimizer(Optimizer::Sgd).learning_rate(0.03);
        // (e + 1) / (warmup + 1) of the schedule's rate for e < warmup.
        assert_rates(
            &run(base.clone().warmup(2)),
            &[0.01, 0.02, 0.03, 0.03, 0.03],
        );
        let step = base.warmup(2).schedule(Schedule::Step {
            every: 2,
            gamma: 0.5,
        });
        assert_rates(&run(step), &[0.01, 0.02, 0.015, 0.015, 0.0075]);
    }

    #[test]
    fn reduce_on_plateau_steps_down_to_its_minimum() {
        // y = 2x + 1 exactly: the loss is 0 and never improves. Patience 2: epochs
        // 1 and 2 do not improve, 3 runs at half the rate; 3 and 4 do not either, 5
        // would run at a quarter, which is below the minimum.
        let net = Line::from_weights((([[2.0]], [1.0]),));
        let (x, y) = ([[1.0], [2.0]], [[3.0], [5.0]]);
        let settings = quiet()
            .epochs(8)
            .optimizer(Optimizer::Sgd)
            .learning_rate(0.1)
            .reduce_on_plateau(Plateau::new(0.5, 2, 0.03));
        let h = net.clone().fit(&x, &y, &settings).unwrap();
        assert_rates(&h, &[0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03]);
        let e = net
            .clone()
            .fit(
                &x,
                &y,
                &settings.reduce_on_plateau(Plateau::new(1.0, 2, 0.0)),
            )
            .unwrap_err();
        assert!(matches!(
            e,
            Error::InvalidSetting {
                setting: "reduce_on_plateau",
                ..
            }
        ));
    }
}
