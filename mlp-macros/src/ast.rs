//! The network definition, parsed from the macro input and ready to validate and expand.
//!
//! Every node keeps the span of the token the user wrote, so validation can point at it.

use proc_macro2::Span;
use syn::{Attribute, Ident, Visibility};

/// A whole `network!` invocation.
pub struct Network {
    /// Item form: doc comments and attributes written before `struct`.
    pub attrs: Vec<Attribute>,
    /// Item form: the visibility written before `struct`.
    pub vis: Visibility,
    /// Item form: the struct's name. `None` for the expression form.
    pub name: Option<Ident>,
    /// Width of the input, the literal before the first `=>`.
    pub input: Width,
    /// The dense layers, in order; the last one is the output layer.
    pub layers: Vec<Layer>,
    /// The `loss = ...` clause.
    pub loss: Loss,
    /// The `scalar = f32 | f64` option; `F32` with the call-site span when absent.
    pub scalar: Scalar,
    /// The `weights = "path"` (or `pytorch("path")`) option: a safetensors file
    /// compiled in.
    pub weights: Option<WeightsFile>,
}

/// The file of `weights = ...`.
pub struct WeightsFile {
    /// The path as written.
    pub path: syn::LitStr,
    /// `pytorch("path")`: the tensors have PyTorch's `nn.Sequential` names.
    pub pytorch: bool,
}

/// A positive integer literal giving a number of neurons.
#[derive(Clone, Copy)]
pub struct Width {
    pub value: usize,
    pub span: Span,
}

/// `WIDTH activation [dropout(rate)]` after a `=>`.
pub struct Layer {
    pub width: Width,
    pub activation: Activation,
    /// `dropout(rate)`, if written.
    pub dropout: Option<Dropout>,
}

/// Inverted dropout of a hidden layer's outputs while training.
pub struct Dropout {
    /// The fraction of units dropped.
    pub rate: Param,
    /// Span of the `dropout` keyword.
    pub span: Span,
}

/// An activation name with its optional parameter.
pub struct Activation {
    pub kind: ActivationKind,
    /// `slope` of leaky_relu, `alpha` of elu; `None` when not written.
    pub param: Option<Param>,
    /// Span of the activation's name.
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ActivationKind {
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu,
    Linear,
    Softmax,
    Elu,
    Softplus,
    Gelu,
}

/// The loss name with its optional parameter.
pub struct Loss {
    pub kind: LossKind,
    /// `delta` of huber; `None` when not written.
    pub param: Option<Param>,
    /// Span of the loss's name.
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LossKind {
    Mse,
    Sse,
    Mae,
    Huber,
    Bce,
    Cce,
    SparseCce,
    Hinge,
    Perceptron,
}

/// A numeric parameter in parentheses, e.g. the `0.2` of `leaky_relu(0.2)`.
#[derive(Clone, Copy)]
pub struct Param {
    pub value: f64,
    /// Span of the literal (including a leading `-`).
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScalarKind {
    F32,
    F64,
}

pub struct Scalar {
    pub kind: ScalarKind,
    pub span: Span,
}

/// What a `network!` invocation declares: one network, or an enum over several.
pub enum Input {
    Network(Network),
    Enum(NetworkEnum),
}

/// `enum Name { Variant(...), ... }`: one type over several networks, each
/// variant its own network type with its own kernels.
pub struct NetworkEnum {
    /// Doc comments and attributes written before `enum`.
    pub attrs: Vec<Attribute>,
    /// The visibility written before `enum`, also that of the variants' structs.
    pub vis: Visibility,
    pub name: Ident,
    /// In the order written; a load picks the first whose architecture matches.
    pub variants: Vec<Variant>,
}

/// `Name(body)` or `Name(Type)`.
pub struct Variant {
    /// Doc comments and attributes written before the variant's name.
    pub attrs: Vec<Attribute>,
    pub name: Ident,
    pub network: VariantNetwork,
}

/// What a variant holds.
pub enum VariantNetwork {
    /// A network declared in place: the macro generates its struct, named after
    /// the enum and the variant (`ModelSmall` for `Model::Small`).
    Declared(Network),
    /// A network type declared elsewhere (`Small(SmallNet)`).
    Existing(syn::Type),
}
