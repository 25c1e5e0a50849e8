//! Enums of networks (`network! { enum Model { Small(...), Large(...) } }`): every
//! method gives what the variant's own gives, a step refuses another variant's
//! gradients, and a load builds the variant whose architecture the file stores or
//! refuses a file of none, saying what it holds and what the variants are.

use mlp::core::io::{self, SaveOptions};
use mlp::prelude::*;
use std::path::PathBuf;

network! {
    /// Two sizes of one classifier.
    pub enum Model {
        /// The small one.
        Small(4 => 8 relu => 1 sigmoid; loss = bce),
        Large(4 => 16 relu => 16 relu => 1 sigmoid; loss = bce),
    }
}

network! {
    /// Derives of the traits the macro implements are accepted, as on a struct.
    #[derive(Clone, Debug)]
    #[allow(dead_code)]
    pub(crate) enum Derived { Only(2 => 1 sigmoid; loss = bce) }
}

network! { struct Existing { 4 => 3 tanh => 1 sigmoid; loss = bce; } }
network! { enum Mixed { Declared(4 => 5 relu => 1 sigmoid; loss = bce), Other(Existing) } }
network! { enum OfTypes { First(Existing), Second(ModelLarge) } }

// Networks no variant of `Model` is: another activation, another loss.
network! { struct Tanh8 { 4 => 8 tanh => 1 sigmoid; loss = bce; } }
network! { struct Mse8 { 4 => 8 relu => 1 sigmoid; loss = mse; } }

fn rows() -> (Vec<[f32; 4]>, Vec<[f32; 1]>) {
    let x: Vec<[f32; 4]> = (0..20)
        .map(|i| {
            let t = i as f32 / 20.0;
            [t, 1.0 - t, (3.0 * t).sin(), t * t]
        })
        .collect();
    let y = x.iter().map(|r| [f32::from(r[0] > 0.5)]).collect();
    (x, y)
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mlp-enum-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn every_method_is_the_variants() {
    let (x, y) = rows();
    let small = ModelSmall::seeded(1);
    let large = ModelLarge::seeded(2);
    let model = Model::from(small.clone());
    assert_eq!(model.predict(&x[3]), small.predict(&x[3]));
    assert_eq!(model.predict_batch(&x), small.predict_batch(&x));
    assert_eq!(model.loss(&x, &y).unwrap(), small.loss(&x, &y).unwrap());
    assert_eq!(
        model.accuracy(&x, &y).unwrap(),
        mlp::metrics::accuracy(&small, &x, &y).unwrap()
    );
    assert_eq!(
        model.gradients(&x, &y).unwrap(),
        ModelGradients::Small(small.gradients(&x, &y).unwrap())
    );
    let model = Model::Large(large.clone());
    assert_eq!(model.predict(&x[3]), large.predict(&x[3]));
    assert_eq!(model.loss(&x, &y).unwrap(), large.loss(&x, &y).unwrap());
    assert_eq!(
        (model.variant(), model.architecture()),
        ("Large", ModelLarge::ARCHITECTURE)
    );
    assert_eq!((Model::INPUTS, Model::OUTPUTS), (4, 1));
    assert_eq!(
        Model::VARIANTS,
        [
            ("Small", ModelSmall::ARCHITECTURE),
            ("Large", ModelLarge::ARCHITECTURE)
        ]
    );
}

#[test]
fn default_is_the_first_variant_from_seed_0() {
    assert_eq!(Model::default(), Model::Small(ModelSmall::new()));
    assert_eq!(OfTypes::default(), OfTypes::First(Existing::new()));
    assert_eq!(Derived::default().clone().variant(), "Only");
}

#[test]
fn steps_and_fits_the_variant() {
    let (x, y) = rows();
    let (mut small, mut model) = (ModelSmall::seeded(3), Model::Small(ModelSmall::seeded(3)));
    let grads = model.gradients(&x, &y).unwrap();
    model.step(&grads, 0.1).unwrap();
    small.step(&small.gradients(&x, &y).unwrap(), 0.1).unwrap();
    assert_eq!(model, Model::Small(small.clone()));

    let settings = Fit::new().epochs(5).learning_rate(0.05).progress(false);
    let history = model.fit(&x, &y, &settings).unwrap();
    assert_eq!(history, small.fit(&x, &y, &settings).unwrap());
    assert_eq!(model, Model::Small(small));
}

#[test]
fn a_step_refuses_another_variants_gradients() {
    let (x, y) = rows();
    let mut model = Model::Small(ModelSmall::seeded(1));
    let before = model.clone();
    let grads = Model::Large(ModelLarge::seeded(1))
        .gradients(&x, &y)
        .unwrap();
    let err = model.step(&grads, 0.1).unwrap_err();
    assert_eq!(
        err,
        Error::OtherVariant {
            network: "Model::Small",
            gradients: "Model::Large"
        }
    );
    assert_eq!(
        err.to_string(),
        "the gradients are of variant Model::Large and the network is Model::Small; \
         compute them with this network's `gradients`"
    );
    assert_eq!(model, before);
}

#[test]
fn bad_rows_are_refused_as_the_variant_refuses_them() {
    let (mut x, y) = rows();
    x[2][1] = f32::NAN;
    let model = Model::Large(ModelLarge::seeded(1));
    let err = model.loss(&x, &y).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input row 2, column 1 is NaN; inputs must be finite"
    );
    assert!(model.gradients(&x, &y[..3]).is_err());
}

#[test]
fn a_file_of_each_variant_loads_as_that_variant() {
    for (model, file) in [
        (Model::Small(ModelSmall::seeded(5)), "small.safetensors"),
        (Model::Large(ModelLarge::seeded(6)), "large.safetensors"),
    ] {
        let path = temp(file);
        model.save(&path).unwrap();
        let back = Model::load(&path).unwrap();
        assert_eq!(back, model);
        assert_eq!(
            Model::from_bytes(&model.to_bytes().unwrap()).unwrap(),
            model
        );
        // The enum's file is the variant's own.
        match &model {
            Model::Small(n) => assert_eq!(ModelSmall::load(&path).unwrap(), *n),
            Model::Large(n) => assert_eq!(ModelLarge::load(&path).unwrap(), *n),
        }
    }
    // Variants of existing types load the same way.
    let path = temp("existing.safetensors");
    Existing::seeded(7).save(&path).unwrap();
    assert_eq!(
        Mixed::load(&path).unwrap(),
        Mixed::Other(Existing::seeded(7))
    );
    assert_eq!(
        OfTypes::load(&path).unwrap(),
        OfTypes::First(Existing::seeded(7))
    );
    let large = ModelLarge::seeded(8);
    large.save(&path).unwrap();
    assert_eq!(OfTypes::load(&path).unwrap(), OfTypes::Second(large));
}

#[test]
fn a_file_of_no_variant_is_refused_with_what_it_holds_and_what_the_variants_are() {
    let variants = "Small is `4 => 8 relu => 1 sigmoid; loss = bce`, \
                    Large is `4 => 16 relu => 16 relu => 1 sigmoid; loss = bce`";
    for (bytes, holds) in [
        (
            io::to_bytes(&Tanh8::seeded(1), &SaveOptions::default()).unwrap(),
            "`4 => 8 tanh => 1 sigmoid; loss = bce`",
        ),
        (
            io::to_bytes(&Mse8::seeded(1), &SaveOptions::default()).unwrap(),
            "`4 => 8 relu => 1 sigmoid; loss = mse`",
        ),
        (
            io::to_bytes(&Existing::seeded(1), &SaveOptions::default()).unwrap(),
            "`4 => 3 tanh => 1 sigmoid; loss = bce`",
        ),
    ] {
        let err = Model::from_bytes(&bytes).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NoMatchingVariant {
                    network: "Model",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!("the file holds {holds}, which is no variant of Model: {variants}")
        );
        let path = temp("none.safetensors");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(Model::load(&path).unwrap_err(), err);
    }

    // A file without an architecture (written by PyTorch, not by this library).
    let err = Model::from_bytes(include_bytes!("fixtures/sequential.safetensors")).unwrap_err();
    assert!(
        matches!(err, Error::NoMatchingVariant { file: None, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the file holds no architecture (no `mlp.architecture` metadata), \
             which is no variant of Model: {variants}"
        )
    );
}

#[test]
fn damaged_and_missing_files_are_refused() {
    let bytes = Model::Small(ModelSmall::seeded(1)).to_bytes().unwrap();
    assert!(matches!(
        Model::from_bytes(&bytes[..bytes.len() / 2]),
        Err(Error::CorruptFile { .. })
    ));
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        Model::from_bytes(&flipped),
        Err(Error::ChecksumMismatch { .. })
    ));
    let path = temp("no-such-file.safetensors");
    assert!(matches!(Model::load(&path), Err(Error::Io { .. })));
}
