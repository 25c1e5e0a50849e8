//! Code generation: a validated [`Network`] becomes a struct holding one
//! `Dense<T, IN, OUT>` per layer, its `mlp::core::Network` implementation and the
//! hidden `Compiled` implementation the runtime calls, one function per item:
//!
//! - [`Expansion::definition`]: the struct, with the user's attributes;
//! - [`Expansion::inherent`] and [`Expansion::standard_traits`]: `new`, `Default`, `Clone`;
//! - `network_impl` (`network_impl.rs`): types, consts, construction, `predict`;
//! - `passes` (`passes.rs`): parameter access, the per-sample and the batch passes;
//! - `weights` (`weights.rs`): `COMPILED`, for `weights = "..."`;
//! - `attributes` (`attributes.rs`): which of the user's attributes the struct keeps.
//!
//! The forward and backward passes are straight-line code over the layers, one
//! kernel call per step, so `cargo expand` reads like the textbook:
//! `z1, a1, z2, a2, ...` then `d3, d2, d1` (delta). There are two of each: over batch
//! buffers (only with an allocator, see `__with_alloc!`) and over one sample's stack
//! vectors (`predict`, `add_sample_gradient`).

mod attributes;
mod enumeration;
mod network_impl;
mod passes;
mod weights;

use crate::ast::{ActivationKind, Input, LossKind, Network, ScalarKind};
use crate::keyword::{activation_name, loss_name};
use crate::validate::INLINE_PARAMS;
use crate::{fallback, parse, validate};
use attributes::struct_attributes;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// The whole macro: parse, validate, expand; errors become `compile_error!`.
/// `base` is the directory a relative `weights = "path"` starts from.
pub fn network(input: TokenStream, base: Option<&std::path::Path>) -> TokenStream {
    let net = match parse::parse_input(input) {
        Ok(Input::Network(net)) => net,
        Ok(Input::Enum(net)) => return enumeration::network_enum(&net, base),
        Err(e) => return e.into_compile_error(),
    };
    let checked = validate::validate(&net).and_then(|()| validate::weights(&net));
    let compiled = match checked.and_then(|()| weights::compiled_weights(&net, base)) {
        Ok(compiled) => compiled,
        Err(e) => return fallback::expand(&net, e),
    };
    let mut tokens = expand(&net);
    tokens.extend(compiled);
    tokens
}

/// What the generated code needs to know about one dense layer.
struct Layer {
    /// `0` for `self.layers.0`.
    index: syn::Index,
    inputs: Literal,
    outputs: Literal,
    /// Parameters in a `Heap` place (boxed when mlp-core has an allocator) rather
    /// than inline.
    boxed: bool,
    /// The activation's type, e.g. `::mlp::core::__private::LeakyRelu`.
    act_ty: TokenStream,
    /// The activation's value, e.g. `::mlp::core::__private::LeakyRelu { slope: 0.2 }`.
    act: TokenStream,
    /// `l1` for the first layer's buffers (`l0` is the input).
    buf: Ident,
    /// The buffers of the layer before (`l0` for the first layer).
    prev: Ident,
    /// The dropout rate, for a hidden layer declared with `dropout(rate)`.
    dropout: Option<f64>,
}

impl Layer {
    /// `&self.layers.i` as a `&Dense` even when boxed.
    fn params(&self, of: TokenStream) -> TokenStream {
        let idx = &self.index;
        if self.boxed {
            quote!(::mlp::core::__private::heap_ref(&#of.layers.#idx))
        } else {
            quote!(&#of.layers.#idx)
        }
    }

    fn params_mut(&self, of: TokenStream) -> TokenStream {
        let idx = &self.index;
        if self.boxed {
            quote!(::mlp::core::__private::heap_mut(&mut #of.layers.#idx))
        } else {
            quote!(&mut #of.layers.#idx)
        }
    }
}

/// Everything the generated items are made from, worked out once.
struct Expansion<'a> {
    net: &'a Network,
    name: Ident,
    /// `f32` or `f64`, with the span of the user's `scalar = ...` if written.
    t: Ident,
    widths: Vec<usize>,
    layers: Vec<Layer>,
    /// The loss's type and value, e.g. `::mlp::core::__private::Huber` and `Huber { delta: 1.0 }`.
    loss_ty: TokenStream,
    loss: TokenStream,
    /// One sample's target: `[T; OUT]`, or `usize` for sparse_cce.
    target: TokenStream,
}

pub fn expand(net: &Network) -> TokenStream {
    let x = Expansion::new(net);
    let definition = x.definition();
    let items = [
        x.inherent(),
        x.standard_traits(),
        x.network_impl(),
        x.compiled_impl(),
    ];
    let name = &x.name;
    match &net.name {
        Some(_) => quote! {
            #definition
            const _: () = { #(#items)* };
        },
        None => quote! {{
            #definition
            #(#items)*
            #name::new()
        }},
    }
}

impl<'a> Expansion<'a> {
    fn new(net: &'a Network) -> Self {
        let name = net
            .name
            .clone()
            .unwrap_or_else(|| format_ident!("AnonymousNetwork"));
        let t = match net.scalar.kind {
            ScalarKind::F32 => Ident::new("f32", net.scalar.span),
            ScalarKind::F64 => Ident::new("f64", net.scalar.span),
        };
        let widths: Vec<usize> = std::iter::once(net.input.value)
            .chain(net.layers.iter().map(|l| l.width.value))
            .collect();
        let layers = net
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let (inp, out) = (widths[i], widths[i + 1]);
                let (act_ty, act) = activation(
                    layer.activation.kind,
                    layer.activation.param.map(|p| p.value),
                );
                Layer {
                    index: syn::Index::from(i),
                    inputs: Literal::usize_unsuffixed(inp),
                    outputs: Literal::usize_unsuffixed(out),
                    boxed: inp * out + out > INLINE_PARAMS,
                    act_ty,
                    act,
                    buf: format_ident!("l{}", i + 1),
                    prev: format_ident!("l{}", i),
                    dropout: layer.dropout.as_ref().map(|d| d.rate.value),
                }
            })
            .collect();
        let (loss_ty, loss) = loss(net);
        let w_out = Literal::usize_unsuffixed(*widths.last().unwrap());
        let target = match net.loss.kind {
            LossKind::SparseCce => quote!(usize),
            _ => quote!([#t; #w_out]),
        };
        Self {
            net,
            name,
            t,
            widths,
            layers,
            loss_ty,
            loss,
            target,
        }
    }

    fn width(&self, i: usize) -> Literal {
        Literal::usize_unsuffixed(self.widths[i])
    }

    fn input(&self) -> TokenStream {
        let (t, w) = (&self.t, self.width(0));
        quote!([#t; #w])
    }

    fn output(&self) -> TokenStream {
        let (t, w) = (&self.t, self.width(self.layers.len()));
        quote!([#t; #w])
    }

    /// The struct, with the user's attributes and docs and one field per layer.
    fn definition(&self) -> TokenStream {
        let (net, name, t) = (self.net, &self.name, &self.t);
        let vis = &net.vis;
        let attrs = struct_attributes(&net.attrs);
        let layer_types = self.layers.iter().map(|l| {
            let (i, o) = (&l.inputs, &l.outputs);
            let dense = quote!(::mlp::core::Dense<#t, #i, #o>);
            if l.boxed {
                quote!(::mlp::core::__private::Heap<#dense>)
            } else {
                dense
            }
        });
        let layer_docs = net.layers.iter().enumerate().map(|(i, layer)| {
            let act = activation_name(layer.activation.kind);
            let (inp, out) = (self.widths[i], self.widths[i + 1]);
            format!(" - `layers.{i}`: {inp} => {out} {act}")
        });
        let summary = format!(" Architecture: `{}`.", architecture(net, &self.widths));
        quote! {
            #(#attrs)*
            #[doc = ""]
            #[doc = #summary]
            #[derive(::core::fmt::Debug, ::core::cmp::PartialEq)]
            #vis struct #name {
                /// The dense layers, input side first; saved as `layers.{i}.weight` and
                /// `layers.{i}.bias`.
                ///
                #(#[doc = #layer_docs])*
                pub layers: (#(#layer_types,)*),
            }
        }
    }

    /// `new()`, the one inherent method, and the consts every network has by name
    /// (`Placement::INPUTS` without importing a trait): the rest is the trait's.
    fn inherent(&self) -> TokenStream {
        let name = &self.name;
        quote! {
            impl #name {
                /// Width of the input (also `Network::INPUTS`, here without the trait).
                pub const INPUTS: usize = <Self as ::mlp::core::Network>::INPUTS;
                /// Width of the output.
                pub const OUTPUTS: usize = <Self as ::mlp::core::Network>::OUTPUTS;
                /// Number of trainable parameters (weights and biases).
                pub const PARAMS: usize = <Self as ::mlp::core::Network>::PARAMS;

                /// A network initialised from the fixed seed 0 (see `Network::seeded`).
                pub fn new() -> Self {
                    <Self as ::mlp::core::Network>::seeded(0)
                }
            }
        }
    }

    /// `Default` (seed 0) and `Clone`, which copies boxed layers heap to heap and
    /// `clone_from` into the existing layers, so that snapshots allocate nothing;
    /// serde's traits when mlp is built with feature `serde` (see `__serde!`).
    fn standard_traits(&self) -> TokenStream {
        let name = &self.name;
        let clones = self.layers.iter().map(|l| {
            let idx = &l.index;
            if l.boxed {
                quote!(::mlp::core::__private::heap_clone(&self.layers.#idx))
            } else {
                quote!(self.layers.#idx)
            }
        });
        let copies = self.layers.iter().map(|l| {
            let (dst, src) = (l.params_mut(quote!(self)), l.params(quote!(source)));
            quote!(::mlp::core::Dense::copy_from(#dst, #src);)
        });
        quote! {
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }

            impl ::core::clone::Clone for #name {
                fn clone(&self) -> Self {
                    Self { layers: (#(#clones,)*) }
                }

                fn clone_from(&mut self, source: &Self) {
                    #(#copies)*
                }
            }

            ::mlp::core::__serde!(#name);
        }
    }
}

/// The type and value of an activation, e.g. `(LeakyRelu, LeakyRelu { slope: 0.01 })`.
fn activation(kind: ActivationKind, param: Option<f64>) -> (TokenStream, TokenStream) {
    let unit = |ty: TokenStream| (ty.clone(), ty);
    match kind {
        ActivationKind::Sigmoid => unit(quote!(::mlp::core::__private::Sigmoid)),
        ActivationKind::Tanh => unit(quote!(::mlp::core::__private::Tanh)),
        ActivationKind::Relu => unit(quote!(::mlp::core::__private::Relu)),
        ActivationKind::Linear => unit(quote!(::mlp::core::__private::Linear)),
        ActivationKind::Softmax => unit(quote!(::mlp::core::__private::Softmax)),
        ActivationKind::Softplus => unit(quote!(::mlp::core::__private::Softplus)),
        ActivationKind::Gelu => unit(quote!(::mlp::core::__private::Gelu)),
        ActivationKind::LeakyRelu => {
            let slope = Literal::f64_suffixed(param.unwrap_or(0.01));
            (
                quote!(::mlp::core::__private::LeakyRelu),
                quote!(::mlp::core::__private::LeakyRelu { slope: #slope }),
            )
        }
        ActivationKind::Elu => {
            let alpha = Literal::f64_suffixed(param.unwrap_or(1.0));
            (
                quote!(::mlp::core::__private::Elu),
                quote!(::mlp::core::__private::Elu { alpha: #alpha }),
            )
        }
    }
}

/// The type and value of the network's loss, e.g. `(Huber, Huber { delta: 1.0 })`.
fn loss(net: &Network) -> (TokenStream, TokenStream) {
    let unit = |ty: TokenStream| (ty.clone(), ty);
    match net.loss.kind {
        LossKind::Mse => unit(quote!(::mlp::core::__private::Mse)),
        LossKind::Sse => unit(quote!(::mlp::core::__private::Sse)),
        LossKind::Mae => unit(quote!(::mlp::core::__private::Mae)),
        LossKind::Bce => unit(quote!(::mlp::core::__private::Bce)),
        LossKind::Cce => unit(quote!(::mlp::core::__private::Cce)),
        LossKind::SparseCce => unit(quote!(::mlp::core::__private::SparseCce)),
        LossKind::Hinge => unit(quote!(::mlp::core::__private::Hinge)),
        LossKind::Perceptron => unit(quote!(::mlp::core::__private::Perceptron)),
        LossKind::Huber => {
            let delta = Literal::f64_suffixed(net.loss.param.map_or(1.0, |p| p.value));
            (
                quote!(::mlp::core::__private::Huber),
                quote!(::mlp::core::__private::Huber { delta: #delta }),
            )
        }
    }
}

/// The network as the DSL writes it, e.g. `4 => 3 sigmoid => 1 sigmoid; loss = bce`.
pub fn architecture(net: &Network, widths: &[usize]) -> String {
    let mut s = widths[0].to_string();
    for (layer, width) in net.layers.iter().zip(&widths[1..]) {
        s += &format!(" => {width} {}", activation_name(layer.activation.kind));
        if let Some(p) = layer.activation.param {
            s += &format!("({})", p.value);
        }
        if let Some(d) = &layer.dropout {
            s += &format!(" dropout({})", d.rate.value);
        }
    }
    s += &format!("; loss = {}", loss_name(net.loss.kind));
    if let Some(p) = net.loss.param {
        s += &format!("({})", p.value);
    }
    s
}

#[cfg(test)]
mod tests;
