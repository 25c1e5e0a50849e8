//! What can go wrong with a caller's data.
//!
//! One enum with every message, in one file over 400 lines on purpose: the messages
//! are the interface, and they are kept consistent by reading them side by side.

/// An error in data or settings passed to a network. Nothing is changed when one
/// is returned.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No rows were given.
    #[error("no data: {what} has no rows")]
    Empty {
        /// What was empty (`"inputs"`, `"targets"`).
        what: &'static str,
    },
    /// Two row counts that must agree do not.
    #[error("{inputs} input rows but {found} {what} rows; give one per input row")]
    RowCountMismatch {
        /// Number of input rows.
        inputs: usize,
        /// Number of rows of the other argument.
        found: usize,
        /// Which argument (`"target"`, `"output"`).
        what: &'static str,
    },
    /// An input value is NaN or infinite.
    #[error("input row {row}, column {column} is {value}; inputs must be finite")]
    NonFiniteInput {
        /// 0-based row.
        row: usize,
        /// 0-based column.
        column: usize,
        /// The value found.
        value: f64,
    },
    /// A target value is not acceptable for the network's loss.
    #[error("target row {row}, column {column} is {value}; {loss} expects {expected}")]
    InvalidTarget {
        /// 0-based row.
        row: usize,
        /// 0-based column (0 for a class label).
        column: usize,
        /// The value found.
        value: f64,
        /// The loss's DSL name.
        loss: &'static str,
        /// What the loss accepts.
        expected: &'static str,
    },
    /// A learning rate that is not finite and positive.
    #[error("learning rate {0} must be finite and positive")]
    InvalidLearningRate(f64),
    /// A flat parameter list of the wrong length.
    #[error("{found} parameters given, the network has {expected}")]
    ParameterCount {
        /// The network's number of parameters.
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// A parameter value is NaN or infinite.
    #[error("parameter {tensor}[{index}] is {value}; parameters must be finite")]
    NonFiniteParameter {
        /// The tensor, e.g. `layers.0.weight`.
        tensor: crate::tensor::TensorId,
        /// Index within the tensor in row-major order.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A gradient value is NaN or infinite, so a descent step would destroy the weights.
    #[error("gradient of {tensor}[{index}] is {value}; no step was taken")]
    NonFiniteGradient {
        /// The tensor, e.g. `layers.0.weight`.
        tensor: crate::tensor::TensorId,
        /// Index within the tensor in row-major order.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A training setting out of its range.
    #[error("{setting} = {value} is not valid; use {expected}")]
    InvalidSetting {
        /// The setting's name, as the builder method is called.
        setting: &'static str,
        /// The value given.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// Training produced a NaN or infinite loss or gradient; the network holds the
    /// weights of the last complete epoch.
    #[error(
        "training diverged in epoch {epoch} (loss {loss:.3e}); the weights of the last complete epoch were restored"
    )]
    Diverged {
        /// The 0-based epoch.
        epoch: usize,
        /// The loss when it was noticed.
        loss: f64,
    },
    /// The loss on the validation rows turned NaN or infinite; the network and the
    /// optimiser hold the state of the last complete epoch.
    #[error(
        "the validation loss turned {loss:.3e} in epoch {epoch}; the weights of the last complete epoch were restored"
    )]
    ValidationDiverged {
        /// The 0-based epoch.
        epoch: usize,
        /// The validation loss.
        loss: f64,
    },
    /// A descent step would make a parameter NaN or infinite.
    #[error(
        "a step of learning rate {learning_rate:e} along gradient {gradient:e} takes {tensor}[{index}] = {value:e} out of range; no step was taken: lower the learning rate or clip the gradient"
    )]
    NonFiniteStep {
        /// The tensor, e.g. `layers.0.weight`.
        tensor: crate::tensor::TensorId,
        /// Index within the tensor in row-major order.
        index: usize,
        /// The parameter before the step.
        value: f64,
        /// Its gradient.
        gradient: f64,
        /// The learning rate.
        learning_rate: f64,
    },
    /// A training setting that is valid as written but not once converted to the
    /// network's scalar (a learning rate of `1e-308` is 0 in `f32`).
    #[error(
        "{setting} = {value:?} becomes {converted:?} in the network's {scalar}; use {expected} that {scalar} can hold"
    )]
    SettingOutOfScalarRange {
        /// The setting's name, as the builder method is called.
        setting: &'static str,
        /// The value given.
        value: f64,
        /// The value as the network's scalar holds it.
        converted: f64,
        /// The network's scalar type.
        scalar: &'static str,
        /// What is accepted.
        expected: &'static str,
    },
    /// Accuracy of a network whose loss is not a classification loss.
    #[error(
        "accuracy needs a classification loss (bce, cce, sparse_cce, hinge, perceptron); this network's loss is {loss}: use mean_squared_error or mean_absolute_error"
    )]
    NotAClassifier {
        /// The network's loss.
        loss: &'static str,
    },
    /// The network's output for a row is NaN or infinite, so it names no class.
    #[error(
        "the network's output {output} for row {row} is {value}; it names no class (its weights or that input are too large)"
    )]
    NonFiniteOutput {
        /// 0-based row.
        row: usize,
        /// 0-based output.
        output: usize,
        /// The value found.
        value: f64,
    },
    /// A matrix of rows with the wrong number of columns.
    #[error("the matrix has {found} columns; the network needs {expected}")]
    ColumnCount {
        /// The width the network needs.
        expected: usize,
        /// The matrix's column count.
        found: usize,
    },
    /// A model file that is not valid safetensors (truncated, corrupt, hostile).
    #[cfg(feature = "alloc")]
    #[error("not a valid model file: {message}")]
    CorruptFile {
        /// What is wrong with it.
        message: alloc::string::String,
    },
    /// A tensor the network needs is not in the file.
    #[cfg(feature = "alloc")]
    #[error("the file has no tensor {tensor}")]
    MissingTensor {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
    },
    /// The file has a tensor the network has no place for.
    #[cfg(feature = "alloc")]
    #[error("the file has a tensor {tensor} the network has no place for")]
    UnexpectedTensor {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
    },
    /// A tensor of another element type than the network's scalar.
    #[cfg(feature = "alloc")]
    #[error(
        "tensor {tensor} is {found}; the network needs {expected}{}",
        convert_hint(found)
    )]
    WrongDtype {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
        /// The network's scalar type.
        expected: alloc::string::String,
        /// The file's type.
        found: alloc::string::String,
    },
    /// A tensor of the wrong shape.
    #[cfg(feature = "alloc")]
    #[error("tensor {tensor} has shape {found:?}; the network needs {expected:?}")]
    WrongShape {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
        /// The shape the network needs.
        expected: alloc::vec::Vec<usize>,
        /// The shape in the file.
        found: alloc::vec::Vec<usize>,
    },
    /// The file's test vector gives another output with the loaded weights: a wrong
    /// layout, activation or file.
    #[error(
        "the stored test vector's output {output} is {expected} but the loaded network gives {found}"
    )]
    TestVectorMismatch {
        /// Which output differs.
        output: usize,
        /// The stored value.
        expected: f64,
        /// What the loaded network computes.
        found: f64,
    },
    /// Reading or writing a file failed; [`std::error::Error::source`] is the
    /// `std::io::Error`.
    #[cfg(feature = "std")]
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: alloc::string::String,
        /// What the operating system reported.
        source: IoSource,
    },
    /// A stored parameter is NaN or infinite (`LoadOptions::allow_non_finite`
    /// accepts it).
    #[cfg(feature = "alloc")]
    #[error("tensor {tensor}[{index}] is {value}; parameters must be finite")]
    NonFiniteInFile {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
        /// Index in the file's row-major order.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A PyTorch module in the file that is neither a linear layer nor an activation,
    /// such as batch or layer normalisation.
    #[cfg(feature = "alloc")]
    #[error(
        "module {module} of the file is not a linear layer ({evidence}); these networks \
         have only linear layers and activations: fold it into the linear layer next to \
         it before saving"
    )]
    UnsupportedModule {
        /// The module's name (its number in the Sequential, with any prefix).
        module: alloc::string::String,
        /// What shows it, e.g. `it has 1.running_mean`.
        evidence: alloc::string::String,
    },
    /// An ONNX node on the way from the graph's input to its output that is not
    /// part of a chain of dense layers and activations.
    #[cfg(feature = "onnx")]
    #[error(
        "ONNX node {index} ({op_type}{}) {reason}; these networks read a chain of dense \
         layers (Gemm, or MatMul then Add), each followed by at most one of Sigmoid, Tanh, \
         Relu, LeakyRelu, Elu, Softplus, Gelu (tanh form), Softmax (last axis) or Identity",
        if name.is_empty() { alloc::string::String::new() } else { alloc::format!(" `{name}`") }
    )]
    UnsupportedNode {
        /// 0-based index of the node in the graph.
        index: usize,
        /// Its operator, e.g. `Conv`.
        op_type: alloc::string::String,
        /// Its name in the graph (may be empty).
        name: alloc::string::String,
        /// What about it is not supported.
        reason: alloc::string::String,
    },
    /// An ONNX model whose graph is not a chain of dense layers for another reason
    /// than a node: no graph, several inputs, a weight computed rather than stored.
    #[cfg(feature = "onnx")]
    #[error("the ONNX graph {message}")]
    OnnxGraph {
        /// What is wrong with it.
        message: alloc::string::String,
    },
    /// An ONNX initializer whose values are in a file of their own.
    #[cfg(feature = "onnx")]
    #[error(
        "ONNX initializer {tensor} keeps its values outside the model, in `{location}`; load \
         a model that holds its weights itself: save it with \
         `onnx.save_model(model, path, save_as_external_data=False)`"
    )]
    ExternalData {
        /// The initializer's name.
        tensor: alloc::string::String,
        /// The external file the model names.
        location: alloc::string::String,
    },
    /// The file holds another number of layers than the network.
    #[error(
        "the file holds {found} numbered linear layers ({{n}}.weight); the network has {expected}"
    )]
    LayerCount {
        /// The network's layers.
        expected: usize,
        /// The layers found in the file.
        found: usize,
    },
    /// A save to a path that is a directory.
    #[cfg(feature = "alloc")]
    #[error("{path} is a directory; save to the path of a file (a new one or one to replace)")]
    IsDirectory {
        /// The path given.
        path: alloc::string::String,
    },
    /// A save through a symbolic link that points to no file.
    #[cfg(feature = "alloc")]
    #[error(
        "{path} is a symbolic link to {target}, which leads to no file; create that file \
         to save through the link, or remove the link to save a file in its place"
    )]
    DanglingLink {
        /// The path given.
        path: alloc::string::String,
        /// Where the link points.
        target: alloc::string::String,
    },
    /// A trainer checkpoint field that is missing, does not parse, or is out of range.
    #[cfg(feature = "alloc")]
    #[error(
        "the trainer checkpoint's {key} is {}; it must be {expected}",
        found.as_ref().map_or("missing".into(), |f| alloc::format!("\"{f}\""))
    )]
    CheckpointField {
        /// The metadata key, e.g. `mlp.trainer.steps`.
        key: &'static str,
        /// The stored value (`None` when the key is missing).
        found: Option<alloc::string::String>,
        /// What a checkpoint holds there.
        expected: alloc::string::String,
    },
    /// The file's checksum does not match its contents: it was damaged after it
    /// was saved.
    #[cfg(feature = "alloc")]
    #[error(
        "{file}: the stored checksum is {stored} but the contents give {computed}; the file \
         is damaged: save the network again or restore the file from a good copy"
    )]
    ChecksumMismatch {
        /// The file's path, or `bytes` for a model loaded from memory.
        file: alloc::string::String,
        /// The checksum the file carries.
        stored: alloc::string::String,
        /// The checksum of what the file holds.
        computed: alloc::string::String,
    },
    /// The file was saved from another network than the one loading it.
    #[cfg(feature = "alloc")]
    #[error("the file holds `{file}`, not `{network}`: {difference}")]
    ArchitectureMismatch {
        /// The file's `mlp.architecture`.
        file: alloc::string::String,
        /// The loading network's architecture.
        network: alloc::string::String,
        /// The first difference, e.g. `layer 0 is relu in the file and sigmoid in the network`.
        difference: alloc::string::String,
    },
    /// User metadata under a key this library writes itself.
    #[cfg(feature = "alloc")]
    #[error(
        "metadata key {key} is reserved (keys starting with `mlp.` are the library's); choose another name"
    )]
    ReservedMetadataKey {
        /// The key given.
        key: alloc::string::String,
    },
    /// A tensor whose number of values does not match its shape.
    #[cfg(feature = "alloc")]
    #[error(
        "tensor {tensor} has shape {shape:?} but {found} values; a {shape:?} tensor has {expected}"
    )]
    ValueCount {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
        /// The shape the file gives.
        shape: alloc::vec::Vec<usize>,
        /// The number of values that shape holds.
        expected: usize,
        /// The number of values the file has.
        found: usize,
    },
    /// A class or sample weight is negative or not finite.
    #[error("{what}[{index}] is {value}; weights must be finite and 0 or more")]
    InvalidWeight {
        /// `"class_weights"` or `"sample_weights"`.
        what: &'static str,
        /// 0-based index of the weight.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A list of weights does not have the length it must have.
    #[cfg(feature = "alloc")]
    #[error("{what} has {found} weights; give {expected}")]
    WeightCount {
        /// `"class_weights"` or `"sample_weights"`.
        what: &'static str,
        /// What the length must be, e.g. `"one per row (150)"`.
        expected: alloc::string::String,
        /// The length found.
        found: usize,
    },
    /// A training row's class has no class weight.
    #[error(
        "training row {row} is class {class}, but class_weights has only {weights} weights; give one weight per class up to {class} at least"
    )]
    ClassOutsideWeights {
        /// 0-based row (before any validation split).
        row: usize,
        /// The row's class.
        class: usize,
        /// The number of class weights given.
        weights: usize,
    },
    /// Every weight of the training rows is 0: the weighted mean is undefined.
    #[error("every training row has weight 0; give at least one row a weight above 0")]
    ZeroWeights,
    /// Something that needs class-label targets was asked of a network without them.
    #[error(
        "{what} needs class-label targets (sparse_cce, cce, or one bce, hinge or perceptron output); a {loss} network with {outputs} outputs has no classes"
    )]
    NoClasses {
        /// What needed classes, e.g. `"class_weights"`, `"Holdout::Stratified"`.
        what: &'static str,
        /// The network's loss.
        loss: &'static str,
        /// The network's outputs.
        outputs: usize,
    },
    /// A class label is not one of the classes.
    #[error("label row {row} is {label}; {what} expects a class below {classes}")]
    LabelOutOfRange {
        /// 0-based row.
        row: usize,
        /// The label found.
        label: usize,
        /// The number of classes.
        classes: usize,
        /// The metric or option reading the labels.
        what: &'static str,
    },
    /// ROC-AUC of labels that are all one class.
    #[error(
        "ROC-AUC needs both classes, but all {rows} labels are {class}; score rows of both classes"
    )]
    OneClass {
        /// The rows given.
        rows: usize,
        /// Their one class.
        class: usize,
    },
    /// A score or probability given to a metric is not acceptable.
    #[error("{what} row {row}, column {column} is {value}; expected {expected}")]
    InvalidScore {
        /// The metric, e.g. `"log_loss"`.
        what: &'static str,
        /// 0-based row.
        row: usize,
        /// 0-based column.
        column: usize,
        /// The value found (the row's sum for a row that does not sum to 1).
        value: f64,
        /// What the metric accepts.
        expected: &'static str,
    },
    /// A metric given to `Fit::metrics` or `Fit::monitor` that this network cannot
    /// measure.
    #[error(
        "the metric {metric} does not apply to a {loss} network with {outputs} outputs: {reason}"
    )]
    MetricNotApplicable {
        /// The metric's name.
        metric: &'static str,
        /// The network's loss.
        loss: &'static str,
        /// The network's outputs.
        outputs: usize,
        /// Which networks it applies to.
        reason: &'static str,
    },
    /// A metadata key given twice to one save.
    #[cfg(feature = "alloc")]
    #[error("metadata key {key} is given twice; a file holds one value per key")]
    DuplicateMetadataKey {
        /// The key given.
        key: alloc::string::String,
    },
    /// A load without PyTorch's names of a file that has them.
    #[cfg(feature = "alloc")]
    #[error(
        "the file has no tensor {missing} but has {found}, as a PyTorch nn.Sequential names \
         its layers: load it with `LoadOptions::pytorch()`"
    )]
    PytorchNames {
        /// The first tensor the network needs, e.g. `layers.0.weight`.
        missing: alloc::string::String,
        /// A tensor the file has instead, e.g. `0.weight`.
        found: alloc::string::String,
    },
    /// A value that is finite in the file's dtype but out of range of the
    /// network's, so converting it would make it infinite.
    #[cfg(feature = "alloc")]
    #[error(
        "tensor {tensor}[{index}] is {value:e}, beyond the range of {dtype}, so it cannot be \
         converted; load the file into a network of the file's dtype"
    )]
    DtypeOverflow {
        /// The tensor's name in the file.
        tensor: alloc::string::String,
        /// Index within the tensor in row-major order.
        index: usize,
        /// The value in the file.
        value: f64,
        /// The network's scalar type.
        dtype: &'static str,
    },
    /// A network whose architecture string cannot be read, so the module numbers
    /// of the matching `nn.Sequential` are unknown.
    #[cfg(feature = "alloc")]
    #[error(
        "`{architecture}` cannot be read ({reason}), so the nn.Sequential module numbers of \
         its layers are unknown; save it with this library's names"
    )]
    UnreadableArchitecture {
        /// The network's `ARCHITECTURE`.
        architecture: alloc::string::String,
        /// Why it cannot be read.
        reason: alloc::string::String,
    },
    /// A row of a `Vec<Vec<_>>` or slice of slices with another width than the rows need.
    #[error("row {row} has {found} values; the rows need {expected}")]
    RowWidth {
        /// 0-based row.
        row: usize,
        /// The width the rows need.
        expected: usize,
        /// The row's width.
        found: usize,
    },
    /// A train/test split that would leave one side without rows.
    #[error(
        "{rows} rows split with test_fraction {test_fraction} leave {side} set empty; give more rows or another fraction"
    )]
    SplitTooSmall {
        /// The rows given.
        rows: usize,
        /// The fraction asked for.
        test_fraction: f64,
        /// `"the training"` or `"the test"`.
        side: &'static str,
    },
    /// A scaler's metadata key that is missing, does not parse, or belongs to another scaler.
    #[cfg(feature = "alloc")]
    #[error(
        "the scaler's {key} is {}; it must be {expected}",
        found.as_ref().map_or("missing".into(), |f| alloc::format!("\"{f}\""))
    )]
    ScalerMetadata {
        /// The metadata key, e.g. `scaler.mean`.
        key: alloc::string::String,
        /// The stored value (`None` when the key is missing).
        found: Option<alloc::string::String>,
        /// What the loading scaler needs there.
        expected: alloc::string::String,
    },
    /// A CSV field that is not what its column holds (a number, a class index).
    #[cfg(feature = "alloc")]
    #[error("{file}: line {line}, {}: \"{value}\" is not {expected}", column_label(*column, name))]
    CsvValue {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// 1-based line in the file.
        line: u64,
        /// 0-based column.
        column: usize,
        /// The column's header name (empty without a header).
        name: alloc::string::String,
        /// The field as written.
        value: alloc::string::String,
        /// What the column needs, e.g. `a finite number`.
        expected: &'static str,
    },
    /// An empty CSV field in a column the rows need.
    #[cfg(feature = "alloc")]
    #[error("{file}: line {line}, {} is empty; fill it in or drop the line", column_label(*column, name))]
    CsvMissingValue {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// 1-based line in the file.
        line: u64,
        /// 0-based column.
        column: usize,
        /// The column's header name (empty without a header).
        name: alloc::string::String,
    },
    /// A CSV line with another number of fields than the first line.
    #[cfg(feature = "alloc")]
    #[error(
        "{file}: line {line} has {found} fields but the lines before it have {expected}; every line needs the same fields"
    )]
    CsvRowWidth {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// 1-based line in the file.
        line: u64,
        /// Fields of the lines before it.
        expected: usize,
        /// Fields of this line.
        found: usize,
    },
    /// A CSV column chosen by a name the header does not have, by an index past the
    /// last column, or by name in a file without a header.
    #[cfg(feature = "alloc")]
    #[error("{file}: there is no column {column}; {available}")]
    CsvUnknownColumn {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// The column as chosen: `"name"` or an index.
        column: alloc::string::String,
        /// What there is instead.
        available: alloc::string::String,
    },
    /// A CSV file or reader without data lines.
    #[cfg(feature = "alloc")]
    #[error("{file} has no data lines")]
    CsvEmpty {
        /// The file's path, or `reader`.
        file: alloc::string::String,
    },
    /// A class label not among the classes the reader was given.
    #[cfg(feature = "alloc")]
    #[error(
        "{file}: line {line}, {}: class \"{value}\" is not one of the known classes ({known}); read with the classes of the data it belongs to",
        column_label(*column, name)
    )]
    CsvUnseenClass {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// 1-based line in the file.
        line: u64,
        /// 0-based column.
        column: usize,
        /// The column's header name (empty without a header).
        name: alloc::string::String,
        /// The label as written.
        value: alloc::string::String,
        /// The known labels, comma-separated.
        known: alloc::string::String,
    },
    /// The chosen CSV columns do not give the widths the rows need.
    #[cfg(feature = "alloc")]
    #[error(
        "{file}: {found} {what} columns chosen ({columns}) but the rows need {expected}; choose them with `{method}`"
    )]
    CsvColumnCount {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// `"feature"` or `"target"`.
        what: &'static str,
        /// The columns, comma-separated.
        columns: alloc::string::String,
        /// The width the rows need.
        expected: usize,
        /// The columns chosen.
        found: usize,
        /// The builder method that chooses them.
        method: &'static str,
    },
    /// More classes in the CSV target column than the target type can represent.
    #[cfg(feature = "alloc")]
    #[error(
        "{file}: the target column holds {found} classes ({known}) but the targets hold at most {capacity}"
    )]
    CsvClassCount {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// The classes found.
        found: usize,
        /// The labels, comma-separated.
        known: alloc::string::String,
        /// How many the target type holds (the network's outputs).
        capacity: usize,
    },
    /// A CSV file the `csv` crate cannot read (invalid UTF-8, a broken quote).
    #[cfg(feature = "alloc")]
    #[error("{file}: line {line}: {message}")]
    CsvMalformed {
        /// The file's path, or `reader`.
        file: alloc::string::String,
        /// 1-based line in the file (0 when unknown).
        line: u64,
        /// What the CSV reader reported.
        message: alloc::string::String,
    },
    /// An enum of networks (`network! { enum Model { ... } }`) took the gradients of
    /// another variant than the one it is.
    #[error(
        "the gradients are of variant {gradients} and the network is {network}; \
         compute them with this network's `gradients`"
    )]
    OtherVariant {
        /// The network's variant, e.g. `Model::Small`.
        network: &'static str,
        /// The gradients' variant.
        gradients: &'static str,
    },
    /// A file loaded into an enum of networks stores none of its variants'
    /// architectures.
    #[cfg(feature = "alloc")]
    #[error(
        "the file holds {}, which is no variant of {network}: {}",
        stored_architecture(file),
        variant_list(variants)
    )]
    NoMatchingVariant {
        /// The enum's name.
        network: &'static str,
        /// The file's `mlp.architecture`; `None` for a file without one (not saved
        /// by this library).
        file: Option<alloc::string::String>,
        /// Each variant's name and architecture.
        variants: &'static [(&'static str, &'static str)],
    },
}

/// What a file holds, for [`Error::NoMatchingVariant`].
#[cfg(feature = "alloc")]
fn stored_architecture(file: &Option<alloc::string::String>) -> alloc::string::String {
    match file {
        Some(architecture) => alloc::format!("`{architecture}`"),
        None => "no architecture (no `mlp.architecture` metadata)".into(),
    }
}

/// `Small is `4 => ...`, Large is `...``, for [`Error::NoMatchingVariant`].
#[cfg(feature = "alloc")]
fn variant_list(variants: &[(&str, &str)]) -> alloc::string::String {
    let each: alloc::vec::Vec<_> = variants
        .iter()
        .map(|(name, architecture)| alloc::format!("{name} is `{architecture}`"))
        .collect();
    each.join(", ")
}

/// The end of a [`Error::WrongDtype`] message: the option that converts, for the
/// dtypes it converts.
#[cfg(feature = "alloc")]
fn convert_hint(found: &str) -> &'static str {
    match found {
        "f32" | "f64" => ": load with `LoadOptions::convert_dtype()` to convert it",
        _ => "",
    }
}

/// `column 2 (petal_width)`, or `column 2` without a header name.
#[cfg(feature = "alloc")]
fn column_label(column: usize, name: &str) -> alloc::string::String {
    if name.is_empty() {
        alloc::format!("column {column}")
    } else {
        alloc::format!("column {column} ({name})")
    }
}

/// The `std::io::Error` of an [`Error::Io`], shared so that [`Error`] stays `Clone`.
/// It dereferences to the `std::io::Error`, which is what `source()` returns, and
/// compares equal to another of the same kind and message.
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct IoSource(std::sync::Arc<std::io::Error>);

#[cfg(feature = "std")]
impl From<std::io::Error> for IoSource {
    fn from(e: std::io::Error) -> Self {
        Self(std::sync::Arc::new(e))
    }
}

// No `std::error::Error` impl on purpose: thiserror's `source()` then reaches the
// `std::io::Error` through `Deref`, so callers can downcast to it.
#[cfg(feature = "std")]
impl core::ops::Deref for IoSource {
    type Target = std::io::Error;

    fn deref(&self) -> &std::io::Error {
        &self.0
    }
}

#[cfg(feature = "std")]
impl core::fmt::Display for IoSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(feature = "std")]
impl PartialEq for IoSource {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use std::error::Error as _;
    use std::io::ErrorKind;

    fn io(kind: ErrorKind, message: &str) -> Error {
        Error::Io {
            path: "model.safetensors".into(),
            source: std::io::Error::new(kind, message).into(),
        }
    }

    #[test]
    #[cfg_attr(target_os = "wasi", ignore = "WASI has no temporary directory")]
    fn io_errors_keep_their_source() {
        let path = std::env::temp_dir().join("mlp-no-such-dir/model.safetensors");
        let e = crate::io::read_file(&path).unwrap_err();
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
        let source = e.source().expect("an Io error has a source");
        let source = source
            .downcast_ref::<std::io::Error>()
            .expect("the source is the std::io::Error");
        assert_eq!(source.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn io_errors_compare_by_path_kind_and_message() {
        let e = io(ErrorKind::NotFound, "gone");
        assert_eq!(e.clone(), e);
        assert_eq!(e, io(ErrorKind::NotFound, "gone"));
        assert_ne!(e, io(ErrorKind::NotFound, "elsewhere"));
        assert_ne!(e, io(ErrorKind::PermissionDenied, "gone"));
    }
}
