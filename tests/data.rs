//! `mlp::data`: the CSV reader and each of its errors, rows from nested vectors,
//! seeded splits, and the scalers with their metadata.

use mlp::data::{
    Classes, Csv, MinMaxScaler, Scaler, Standardizer, rows_from, split, split_indices,
    stratified_indices, stratified_split,
};
use mlp::prelude::*;
use std::collections::BTreeMap;

network! { struct Species { 4 => 5 relu => 3 softmax; loss = sparse_cce; } }
network! { struct OneHot { 4 => 3 softmax; loss = cce; } }
network! { struct Binary { 2 => 1 sigmoid; loss = bce; } }
network! { struct Pair { 1 => 2 linear; loss = mse; scalar = f64; } }

const FLOWERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/flowers.csv");

fn text(csv: &str) -> Csv<&[u8]> {
    Csv::from_reader(csv.as_bytes())
}

fn message<T: std::fmt::Debug>(r: Result<T, Error>) -> String {
    r.unwrap_err().to_string()
}

// ---- the reader ----

#[test]
fn reads_a_file_with_string_classes_for_a_sparse_network() {
    let data = Csv::from_path(FLOWERS)
        .unwrap()
        .target("species")
        .classes()
        .read::<Species>()
        .unwrap();
    assert_eq!(data.inputs[0], [5.1, 3.5, 1.4, 0.2]);
    assert_eq!(data.inputs.len(), 5);
    assert_eq!(data.targets, [0, 1, 2, 0, 1]);
    let classes = data.classes.unwrap();
    assert_eq!(classes.labels(), ["setosa", "versicolor", "virginica"]);
    assert_eq!(classes.label(2), Some("virginica"));
    assert_eq!(classes.index("setosa"), Some(0));
    // The rows go straight into the network.
    let net = Species::seeded(1);
    assert!(net.loss(&data.inputs, &data.targets).unwrap().is_finite());
}

#[test]
fn integer_targets_are_class_indices_or_labels_ordered_by_value() {
    let csv = "a,b,c,d,label\n1,2,3,4,2\n5,6,7,8,0\n";
    let data = text(csv).read::<Species>().unwrap();
    assert_eq!((data.targets, data.classes), (vec![2, 0], None));
    // As labels, 10 comes after 9 (by value, not by text).
    let csv = "x,label\n1,10\n2,9\n3,10\n";
    let data = text(csv).classes().rows::<f32, 1, usize>().unwrap();
    assert_eq!(data.targets, [1, 0, 1]);
    assert_eq!(data.classes.unwrap().labels(), ["9", "10"]);
}

#[test]
fn labels_become_one_hot_rows_or_a_single_0_1_output() {
    let data = Csv::from_path(FLOWERS)
        .unwrap()
        .classes()
        .read::<OneHot>()
        .unwrap();
    assert_eq!(data.targets[1], [0.0, 1.0, 0.0]);
    assert_eq!(data.targets[2], [0.0, 0.0, 1.0]);
    let csv = "x,y,diagnosis\n1,2,M\n3,4,B\n5,6,M\n";
    let data = text(csv).classes().read::<Binary>().unwrap();
    assert_eq!(data.targets, [[1.0], [0.0], [1.0]]);
    assert_eq!(data.classes.unwrap().labels(), ["B", "M"]);
}

#[test]
fn columns_by_index_without_a_header_in_any_order() {
    let csv = "0.5; 7 ; 1\n0.25;8;2\n";
    let data = text(csv)
        .has_header(false)
        .delimiter(b';')
        .features([2, 0])
        .target(1)
        .rows::<f64, 2, [f64; 1]>()
        .unwrap();
    assert_eq!(data.inputs, [[1.0, 0.5], [2.0, 0.25]]);
    assert_eq!(data.targets, [[7.0], [8.0]]);
}

#[test]
fn dense_targets_from_named_columns_and_features_by_default() {
    let csv = "t2,x,t1\n1,0.5,2\n3,0.25,4\n";
    let data = text(csv).targets(["t1", "t2"]).read::<Pair>().unwrap();
    assert_eq!(data.inputs, [[0.5], [0.25]]);
    assert_eq!(data.targets, [[2.0, 1.0], [4.0, 3.0]]);
    // Without a target choice the last K columns are the target.
    let data = text("x,a,b\n1,2,3\n").read::<Pair>().unwrap();
    assert_eq!((data.inputs, data.targets), (vec![[1.0]], vec![[2.0, 3.0]]));
}

#[test]
fn a_test_file_reads_with_the_classes_of_its_training_file() {
    let train = text("x,y\n1,cat\n2,dog\n")
        .classes()
        .rows::<f32, 1, usize>()
        .unwrap();
    let classes = train.classes.unwrap();
    let test = text("x,y\n3,dog\n")
        .with_classes(&classes)
        .rows::<f32, 1, usize>()
        .unwrap();
    assert_eq!(test.targets, [1]);
    assert_eq!(
        message(
            text("x,y\n3,dog\n4,cow\n")
                .with_classes(&classes)
                .rows::<f32, 1, usize>()
        ),
        "reader: line 3, column 1 (y): class \"cow\" is not one of the known classes (cat, dog); read with the classes of the data it belongs to"
    );
    assert_eq!(Classes::new(["b", "a", "b"]).labels(), ["a", "b"]);
}

#[test]
fn a_field_that_is_not_a_number_is_named_by_line_column_and_value() {
    let csv = "a,b,c,d,species\n1,2,3,4,setosa\n1,2,x3,4,setosa\n";
    let e = text(csv).classes().read::<Species>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "reader: line 3, column 2 (c): \"x3\" is not a finite number"
    );
    assert!(matches!(
        e,
        Error::CsvValue {
            line: 3,
            column: 2,
            ..
        }
    ));
    // NaN parses as a float but is no input; without a header the name is left out.
    assert_eq!(
        message(text("1,nan,0\n").has_header(false).rows::<f32, 2, usize>()),
        "reader: line 1, column 1: \"nan\" is not a finite number"
    );
    // A label where a class index belongs says how to read labels.
    assert_eq!(
        message(Csv::from_path(FLOWERS).unwrap().read::<Species>()),
        format!(
            "{FLOWERS}: line 2, column 4 (species): \"setosa\" is not a class index 0, 1, 2, ... (read other labels with `classes()`)"
        )
    );
    assert_eq!(
        message(text("x,y,diagnosis\n1,2,M\n").read::<Binary>()),
        "reader: line 2, column 2 (diagnosis): \"M\" is not a finite number (read class labels with `classes()`)"
    );
}

#[test]
fn missing_fields_and_lines_of_another_width_are_refused() {
    let e = text("a,b,y\n1,2,0\n1,,0\n")
        .rows::<f32, 2, usize>()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "reader: line 3, column 1 (b) is empty; fill it in or drop the line"
    );
    assert_eq!(
        message(text("a,b,y\n1,2,0\n1,2\n").rows::<f32, 2, usize>()),
        "reader: line 3 has 2 fields but the lines before it have 3; every line needs the same fields"
    );
    assert!(matches!(
        text("1,2,0\n1,2,0,4\n")
            .has_header(false)
            .rows::<f32, 2, usize>()
            .unwrap_err(),
        Error::CsvRowWidth {
            line: 2,
            expected: 3,
            found: 4,
            ..
        }
    ));
}

#[test]
fn unknown_columns_name_what_there_is() {
    assert_eq!(
        message(
            Csv::from_path(FLOWERS)
                .unwrap()
                .target("specis")
                .read::<Species>()
        ),
        format!(
            "{FLOWERS}: there is no column `specis`; the header has sepal_length, sepal_width, petal_length, petal_width, species"
        )
    );
    assert_eq!(
        message(
            text("1,2,0\n")
                .has_header(false)
                .target(3)
                .rows::<f32, 2, usize>()
        ),
        "reader: there is no column 3; the file has 3 columns (0 to 2)"
    );
    assert_eq!(
        message(
            text("1,2,0\n")
                .has_header(false)
                .target("y")
                .rows::<f32, 2, usize>()
        ),
        "reader: there is no column `y`; the file is read without a header, so choose columns by index (0 to 2)"
    );
}

#[test]
fn empty_files_and_wrong_column_counts_are_refused() {
    for csv in ["", "a,b,y\n"] {
        assert_eq!(
            message(text(csv).rows::<f32, 2, usize>()),
            "reader has no data lines"
        );
    }
    assert_eq!(
        message(text("a,b,c,y\n1,2,3,0\n").rows::<f32, 2, usize>()),
        "reader: 3 feature columns chosen (0 a, 1 b, 2 c) but the rows need 2; choose them with `features`"
    );
    assert_eq!(
        message(
            text("a,b,y\n1,2,0\n")
                .features(["a"])
                .rows::<f32, 2, usize>()
        ),
        "reader: 1 feature columns chosen (0 a) but the rows need 2; choose them with `features`"
    );
    assert_eq!(
        message(
            text("a,b,y,z\n1,2,0,1\n")
                .targets(["y", "z"])
                .classes()
                .rows::<f32, 2, usize>()
        ),
        "reader: 2 target columns chosen (2 y, 3 z) but the rows need 1; choose them with `target`"
    );
    let e = Csv::from_path("tests/data/no-such-file.csv").unwrap_err();
    assert!(
        e.to_string().starts_with("tests/data/no-such-file.csv: "),
        "{e}"
    );
}

#[test]
fn more_classes_than_outputs_are_refused() {
    let csv = "a,b,y\n1,2,p\n1,2,q\n1,2,r\n";
    assert_eq!(
        message(text(csv).classes().read::<Binary>()),
        "reader: the target column holds 3 classes (p, q, r) but the targets hold at most 2"
    );
    let csv = "a,b,c,d,y\n1,2,3,4,p\n1,2,3,4,q\n1,2,3,4,r\n1,2,3,4,s\n";
    assert!(matches!(
        text(csv).classes().read::<Species>().unwrap_err(),
        Error::CsvClassCount {
            found: 4,
            capacity: 3,
            ..
        }
    ));
}

#[test]
fn malformed_text_is_an_error_with_its_line() {
    let bytes: &[u8] = b"a,b,y\n1,2,0\n1,\xff,0\n";
    let e = Csv::from_reader(bytes).rows::<f32, 2, usize>().unwrap_err();
    assert!(matches!(e, Error::CsvMalformed { line: 3, .. }), "{e}");
}

// ---- rows from nested vectors ----

#[test]
fn nested_vectors_and_slices_become_rows_with_their_width_checked() {
    let nested: Vec<Vec<f32>> = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
    assert_eq!(
        rows_from::<f32, 2>(&nested).unwrap(),
        [[1.0, 2.0], [3.0, 4.0]]
    );
    let slices: &[&[f64]] = &[&[1.0], &[2.0]];
    assert_eq!(rows_from::<f64, 1>(slices).unwrap(), [[1.0], [2.0]]);
    let e = rows_from::<f32, 2>(&[vec![1.0, 2.0], vec![3.0, 4.0, 5.0]]).unwrap_err();
    assert_eq!(
        e,
        Error::RowWidth {
            row: 1,
            expected: 2,
            found: 3
        }
    );
    assert_eq!(e.to_string(), "row 1 has 3 values; the rows need 2");
}

// ---- splits ----

#[test]
fn random_splits_are_a_partition_fixed_by_the_seed() {
    let (train, test) = split_indices(100, 0.25, 9).unwrap();
    assert_eq!((train.len(), test.len()), (75, 25));
    let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
    assert_eq!(
        split_indices(100, 0.25, 9).unwrap(),
        (train.clone(), test.clone())
    );
    assert_ne!(split_indices(100, 0.25, 10).unwrap().1, test);
    // The test rows come from everywhere, not from one end.
    assert!(test.iter().any(|&i| i < 50) && test.iter().any(|&i| i >= 50));
    // As scikit-learn counts: ceil(n * fraction), with 0.7 * 10 taken as 7.
    assert_eq!(split_indices(10, 0.7, 0).unwrap().1.len(), 7);
    assert_eq!(split_indices(10, 0.01, 0).unwrap().1.len(), 1);

    let x: Vec<[f32; 1]> = (0..20).map(|i| [i as f32]).collect();
    let y: Vec<usize> = (0..20).collect();
    let s = split(&x, &y, 0.2, 4).unwrap();
    assert_eq!(s.test_targets.len(), 4);
    assert!(
        s.train_inputs
            .iter()
            .zip(&s.train_targets)
            .all(|(x, &y)| x[0] == y as f32)
    );
    assert!(
        s.test_inputs
            .iter()
            .zip(&s.test_targets)
            .all(|(x, &y)| x[0] == y as f32)
    );
}

#[test]
fn stratified_splits_keep_each_class_share() {
    let classes: Vec<usize> = (0..100)
        .map(|i| match i % 10 {
            0..=5 => 0,
            6..=8 => 1,
            _ => 2,
        })
        .collect();
    let (train, test) = stratified_indices(&classes, 0.2, 5).unwrap();
    let count = |rows: &[usize], c| rows.iter().filter(|&&i| classes[i] == c).count();
    assert_eq!(
        [count(&test, 0), count(&test, 1), count(&test, 2)],
        [12, 6, 2]
    );
    assert_eq!(
        [count(&train, 0), count(&train, 1), count(&train, 2)],
        [48, 24, 8]
    );
    assert_eq!(
        stratified_indices(&classes, 0.2, 5).unwrap(),
        (train, test.clone())
    );
    assert_ne!(stratified_indices(&classes, 0.2, 6).unwrap().1, test);

    // A class of two rows puts one on each side even at 10 %; a class of one stays in training.
    let classes = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2];
    let (train, test) = stratified_indices(&classes, 0.1, 0).unwrap();
    assert_eq!(test.iter().filter(|&&i| classes[i] == 1).count(), 1);
    assert_eq!(train.iter().filter(|&&i| classes[i] == 1).count(), 1);
    assert!(train.contains(&10));

    // One-hot targets stratify by their largest output.
    let x: Vec<[f32; 1]> = (0..10).map(|i| [i as f32]).collect();
    let y: Vec<[f32; 2]> = (0..10)
        .map(|i| if i < 8 { [1.0, 0.0] } else { [0.0, 1.0] })
        .collect();
    let s = stratified_split(&x, &y, 0.2, 1).unwrap();
    assert_eq!(s.test_targets.iter().filter(|t| t[1] == 1.0).count(), 1);
    assert_eq!(s.test_targets.len(), 3);
}

mod one_class_rule {
    use mlp::core::train::{Fit, Holdout, Optimizer};
    use mlp::data::stratified_split;
    use mlp::metrics::accuracy;
    use mlp::prelude::*;

    network! { struct Yes { 2 => 1 sigmoid; loss = bce; scalar = f64; } }
    network! { struct Hot { 2 => 3 softmax; loss = cce; scalar = f64; } }
    network! { struct Label { 2 => 3 softmax; loss = sparse_cce; scalar = f64; } }
    network! { struct Sign { 2 => 1 linear; loss = hinge; scalar = f64; } }

    /// A network that names `class` for every row (zero weights, a bias for it).
    fn always<N: Network<Scalar = f64>>(class: usize) -> N {
        let mut flat = vec![0.0; N::PARAMS];
        let biases = N::PARAMS - N::OUTPUTS;
        for k in 0..N::OUTPUTS {
            let on = if N::OUTPUTS == 1 {
                class == 1
            } else {
                k == class
            };
            flat[biases + k] = if on { 1.0 } else { -1.0 };
        }
        N::from_flat(&flat).unwrap()
    }

    /// Each class's share of `data::stratified_split`'s test side and of `Fit`'s
    /// stratified holdout, both read through the loss's accuracy of a network that
    /// always names that class: equal, class by class.
    fn same_shares<N: Network<Scalar = f64>>(y: &[N::Target], classes: usize) {
        let x: Vec<N::Input> = (0..y.len())
            .map(|i| N::Input::try_from(&[i as f64, 1.0][..]).ok().unwrap())
            .collect();
        let split = stratified_split(&x, y, 0.25, 3).unwrap();
        // A step too small to move the weights: the holdout's accuracy is the share.
        let fit = Fit::new()
            .epochs(1)
            .optimizer(Optimizer::Sgd)
            .learning_rate(1e-300)
            .validation_split(0.25)
            .holdout(Holdout::Stratified);
        for class in 0..classes {
            let mut net = always::<N>(class);
            let held = net.fit(&x, y, &fit).unwrap().epochs[0]
                .validation_accuracy
                .unwrap();
            let tested =
                accuracy(&always::<N>(class), &split.test_inputs, &split.test_targets).unwrap();
            assert_eq!(held, tested, "{} class {class}", N::LOSS);
        }
    }

    #[test]
    fn the_stratified_split_and_the_stratified_holdout_agree_on_classes() {
        // Soft bce targets of exactly 0.5 are class 0, as bce's accuracy counts them.
        let y: Vec<[f64; 1]> = (0..20)
            .map(|i| match i % 10 {
                0 => [0.0],
                1 => [0.5],
                _ => [1.0],
            })
            .collect();
        same_shares::<Yes>(&y, 2);
        let labels: Vec<usize> = (0..30).map(|i| [0, 1, 1, 2, 2, 2][i % 6]).collect();
        same_shares::<Label>(&labels, 3);
        let hot: Vec<[f64; 3]> = labels
            .iter()
            .map(|&c| std::array::from_fn(|k| f64::from(u8::from(k == c))))
            .collect();
        same_shares::<Hot>(&hot, 3);
        let signs: Vec<[f64; 1]> = y
            .iter()
            .map(|t| [if t[0] > 0.5 { 1.0 } else { -1.0 }])
            .collect();
        same_shares::<Sign>(&signs, 2);
    }
}

#[test]
fn splits_refuse_bad_fractions_lengths_and_too_few_rows() {
    for f in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let e = split_indices(10, f, 0).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidSetting {
                    setting: "test_fraction",
                    ..
                }
            ),
            "{f}"
        );
        assert!(stratified_indices(&[0; 10], f, 0).is_err());
    }
    assert_eq!(
        split_indices(10, 1.0, 0).unwrap_err().to_string(),
        "test_fraction = 1 is not valid; use a fraction strictly between 0 and 1"
    );
    assert_eq!(
        message(split_indices(1, 0.5, 0)),
        "1 rows split with test_fraction 0.5 leave the training set empty; give more rows or another fraction"
    );
    assert!(matches!(
        split_indices(0, 0.5, 0).unwrap_err(),
        Error::SplitTooSmall {
            side: "the test",
            ..
        }
    ));
    // Three classes of one row: none can go to the test side.
    assert!(matches!(
        stratified_indices(&[0, 1, 2], 0.5, 0).unwrap_err(),
        Error::SplitTooSmall {
            side: "the test",
            ..
        }
    ));
    let x = [[0.0_f32]; 3];
    assert_eq!(
        split(&x, &[0_usize, 1], 0.5, 0).unwrap_err(),
        Error::RowCountMismatch {
            inputs: 3,
            found: 2,
            what: "target"
        }
    );
    assert!(stratified_split(&x, &[0_usize; 4], 0.5, 0).is_err());
}

// ---- scalers ----

/// Column 0 is the textbook 2, 4, 4, 4, 5, 5, 7, 9 (mean 5, population std 2);
/// column 1 is constant.
fn textbook() -> Vec<[f64; 2]> {
    [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
        .iter()
        .map(|&v| [v, 3.0])
        .collect()
}

#[test]
fn the_standardizer_centres_and_scales_by_the_population_std() {
    let s = Standardizer::fit(&textbook()).unwrap();
    assert_eq!((s.mean(), s.std()), (&[5.0, 3.0], &[2.0, 0.0]));
    // The constant column is centred and not divided by its zero std.
    assert_eq!(s.transform_one(&[9.0, 4.0]), [2.0, 1.0]);
    assert_eq!(
        s.transform(&[[7.0, 3.0], [1.0, 2.0]]),
        [[1.0, 0.0], [-2.0, -1.0]]
    );
    assert_eq!(s.inverse_transform_one(&[2.0, 1.0]), [9.0, 4.0]);
    let mut rows = textbook();
    s.transform_in_place(&mut rows);
    assert_eq!(rows[0], [-1.5, 0.0]);
    s.inverse_transform_in_place(&mut rows);
    assert_eq!(rows, textbook());
    assert_eq!(s.inverse_transform(&s.transform(&textbook())), textbook());
}

#[test]
fn the_min_max_scaler_maps_the_training_range_to_0_1() {
    let s = MinMaxScaler::fit(&textbook()).unwrap();
    assert_eq!((s.min(), s.max()), (&[2.0, 3.0], &[9.0, 3.0]));
    assert_eq!(s.transform_one(&[9.0, 3.0]), [1.0, 0.0]);
    assert_eq!(s.transform_one(&[5.5, 3.0]), [0.5, 0.0]);
    assert_eq!(s.transform_one(&[2.0, 3.0]), [0.0, 0.0]);
    assert_eq!(s.inverse_transform_one(&[0.5, 0.0]), [5.5, 3.0]);
    let mut rows = textbook();
    s.transform_in_place(&mut rows);
    assert!(
        rows.iter()
            .all(|r| (0.0..=1.0).contains(&r[0]) && r[1] == 0.0)
    );
    s.inverse_transform_in_place(&mut rows);
    assert_eq!(rows, textbook());
}

#[test]
fn scalers_refuse_non_finite_and_empty_training_rows() {
    let rows = [[1.0_f32, 2.0], [3.0, f32::INFINITY]];
    assert_eq!(
        Standardizer::fit(&rows).unwrap_err().to_string(),
        "input row 1, column 1 is inf; inputs must be finite"
    );
    assert!(matches!(
        MinMaxScaler::fit(&[[f32::NAN]]).unwrap_err(),
        Error::NonFiniteInput {
            row: 0,
            column: 0,
            ..
        }
    ));
    assert_eq!(
        MinMaxScaler::<f32, 2>::fit(&[]).unwrap_err(),
        Error::Empty { what: "rows" }
    );
}

fn saved(entries: Vec<(String, String)>) -> BTreeMap<String, String> {
    entries.into_iter().collect()
}

#[test]
fn scaler_metadata_round_trips_bit_for_bit() {
    // Values with long expansions, in both scalars.
    let rows32: Vec<[f32; 3]> = (0..17)
        .map(|i| {
            let i = i as f32;
            [i / 3.0, (i * 0.7).sin() * 1e-7, 1e20 + i * 1e14]
        })
        .collect();
    let s = Standardizer::fit(&rows32).unwrap();
    let meta = saved(s.to_metadata());
    assert!(meta.keys().all(|k| k.starts_with("scaler.")));
    assert_eq!(meta["scaler.kind"], "standard");
    assert_eq!(meta["scaler.width"], "3");
    assert_eq!(meta["scaler.dtype"], "f32");
    let back = Standardizer::<f32, 3>::from_metadata(&meta).unwrap();
    let bits = |a: &[f32; 3]| a.map(f32::to_bits);
    assert_eq!(bits(back.mean()), bits(s.mean()));
    assert_eq!(bits(back.std()), bits(s.std()));
    assert_eq!(back, s);

    let rows64: Vec<[f64; 2]> = (0..9)
        .map(|i| [f64::from(i).sqrt(), 1.0 / (1.0 + f64::from(i))])
        .collect();
    let m = MinMaxScaler::fit(&rows64).unwrap();
    let meta = saved(m.to_metadata());
    assert_eq!(meta["scaler.kind"], "min_max");
    let back = MinMaxScaler::<f64, 2>::from_metadata(&meta).unwrap();
    assert_eq!(back.max().map(f64::to_bits), m.max().map(f64::to_bits));
    assert_eq!(back.min().map(f64::to_bits), m.min().map(f64::to_bits));
    let any = Scaler::<f64, 2>::from_metadata(&meta).unwrap();
    assert_eq!(any, Scaler::MinMax(m));
    assert_eq!(any.transform_one(&rows64[3]), m.transform_one(&rows64[3]));
    assert_eq!(saved(any.to_metadata()), meta);
}

#[test]
fn scaler_metadata_refuses_another_kind_width_scalar_and_broken_keys() {
    let s = Standardizer::fit(&[[1.0_f32, 2.0], [3.0, 5.0]]).unwrap();
    let meta = saved(s.to_metadata());
    assert_eq!(
        message(MinMaxScaler::<f32, 2>::from_metadata(&meta)),
        "the scaler's scaler.kind is \"standard\"; it must be min_max (the kind of scaler loading it)"
    );
    assert_eq!(
        message(Standardizer::<f32, 3>::from_metadata(&meta)),
        "the scaler's scaler.width is \"2\"; it must be 3 (the width of the scaler loading it)"
    );
    assert_eq!(
        message(Scaler::<f64, 2>::from_metadata(&meta)),
        "the scaler's scaler.dtype is \"f32\"; it must be f64 (the scalar of the scaler loading it)"
    );
    let mut broken = meta.clone();
    broken.remove("scaler.std");
    assert_eq!(
        message(Standardizer::<f32, 2>::from_metadata(&broken)),
        "the scaler's scaler.std is missing; it must be 2 comma-separated finite f32 numbers, as the scaler wrote them"
    );
    for bad in ["1.0", "1.0,x", "1.0,2.0,3.0", "1.0,NaN", ""] {
        let mut broken = meta.clone();
        broken.insert("scaler.mean".into(), bad.into());
        assert_eq!(
            message(Standardizer::<f32, 2>::from_metadata(&broken)),
            format!(
                "the scaler's scaler.mean is \"{bad}\"; it must be 2 comma-separated finite f32 numbers, as the scaler wrote them"
            )
        );
    }
    let mut broken = meta.clone();
    broken.insert("scaler.std".into(), "1.0,-2.0".into());
    assert!(message(Standardizer::<f32, 2>::from_metadata(&broken)).contains("not negative (-2)"));
    let mut broken = meta;
    broken.remove("scaler.kind");
    assert_eq!(
        message(Scaler::<f32, 2>::from_metadata(&broken)),
        "the scaler's scaler.kind is missing; it must be standard (the kind of scaler loading it)"
    );
}

// ---- the walkthrough of the README's paragraph ----

network! { struct Iris { 4 => 8 relu => 3 softmax; loss = sparse_cce; } }

#[test]
fn read_split_scale_fit_and_name_a_class() -> Result<(), Error> {
    let data = Csv::from_path(FLOWERS)?
        .target("species")
        .classes()
        .read::<Iris>()?;
    let classes = data.classes.expect("read with classes()");
    let split = stratified_split(&data.inputs, &data.targets, 0.4, 7)?;
    let scaler = Standardizer::fit(&split.train_inputs)?; // training rows only
    let train = scaler.transform(&split.train_inputs);
    let mut net = Iris::seeded(1);
    net.fit(
        &train,
        &split.train_targets,
        &Fit::new().epochs(20).progress(false),
    )?;
    let p = net.predict(&scaler.transform_one(&split.test_inputs[0]));
    let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
    assert!(classes.label(best).is_some());
    // The scaler's numbers go into the model file's metadata and come back exactly.
    let saved: BTreeMap<String, String> = scaler.to_metadata().into_iter().collect();
    assert_eq!(Standardizer::<f32, 4>::from_metadata(&saved)?, scaler);
    Ok(())
}
