//! Code generation: a validated [`Network`] becomes a struct holding one
//! `Dense<T, IN, OUT>` per layer, its `mlp::core::Network` implementation and
//! inherent convenience methods.
//!
//! The forward and backward passes are straight-line code over the layers, one
//! kernel call per step, so `cargo expand` reads like the textbook:
//! `z1, a1, z2, a2, ...` then `delta_L, delta_{L-1}, ...`. There are two of each:
//! over batch buffers (only with an allocator, see `__with_alloc!`) and over one
//! sample's stack vectors (`predict`, `add_sample_gradient`).

use crate::ast::{ActivationKind, LossKind, Network, ScalarKind};
use crate::keyword::{activation_name, loss_name};
use crate::validate::INLINE_PARAMS;
use crate::{fallback, parse, validate};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Path, Token};

/// The whole macro: parse, validate, expand; errors become `compile_error!`.
/// `base` is the directory a relative `weights = "path"` starts from.
pub fn network(input: TokenStream, base: Option<&std::path::Path>) -> TokenStream {
    let net = match parse::parse(input) {
        Ok(net) => net,
        Err(e) => return e.into_compile_error(),
    };
    let checked = validate::validate(&net).and_then(|()| validate::weights(&net));
    let compiled = match checked.and_then(|()| compiled_weights(&net, base)) {
        Ok(compiled) => compiled,
        Err(e) => return fallback::expand(&net, e),
    };
    let mut tokens = expand(&net);
    tokens.extend(compiled);
    tokens
}

/// For `weights = "path"`: `const COMPILED: Self` built from the file's values, and
/// an `include_bytes!` of the file so that the crate rebuilds when it changes.
fn compiled_weights(net: &Network, base: Option<&std::path::Path>) -> syn::Result<TokenStream> {
    let (Some(lit), Some(name)) = (&net.weights, &net.name) else {
        return Ok(TokenStream::new());
    };
    let widths: Vec<usize> = std::iter::once(net.input.value)
        .chain(net.layers.iter().map(|l| l.width.value))
        .collect();
    let tensors = crate::weights::read(
        lit,
        base,
        &widths,
        net.scalar.kind,
        &architecture(net, &widths),
    )?;
    let value = |bits: u64| match net.scalar.kind {
        ScalarKind::F32 => {
            let b = Literal::u32_suffixed(bits as u32);
            quote!(f32::from_bits(#b))
        }
        ScalarKind::F64 => {
            let b = Literal::u64_suffixed(bits);
            quote!(f64::from_bits(#b))
        }
    };
    let layers = widths.windows(2).enumerate().map(|(i, w)| {
        let (inputs, outputs) = (w[0], w[1]);
        let (weight, bias) = (&tensors[2 * i], &tensors[2 * i + 1]);
        // nalgebra's storage is column-major: one array per input, of the outputs.
        let columns = (0..inputs).map(|c| {
            let column = (0..outputs).map(|r| value(weight[r * inputs + c]));
            quote!([#(#column),*])
        });
        let bias = bias.iter().map(|&b| value(b));
        quote! {
            ::mlp::core::Dense {
                weight: ::mlp::core::nalgebra::SMatrix::from_array_storage(
                    ::mlp::core::nalgebra::ArrayStorage([#(#columns),*]),
                ),
                bias: ::mlp::core::nalgebra::SVector::from_array_storage(
                    ::mlp::core::nalgebra::ArrayStorage([[#(#bias),*]]),
                ),
            }
        }
    });
    Ok(quote! {
        const _: () = {
            // Rebuild when the weights file changes.
            const _: &[u8] = include_bytes!(#lit);
            impl #name {
                /// The network with the weights of the file named in its
                /// declaration, read and checked while compiling. A constant is
                /// built where it is used, on the stack, so only networks whose
                /// layers all fit inline have one; a larger network is loaded at
                /// run time with `Save::load`.
                pub const COMPILED: Self = Self { layers: (#(#layers,)*) };
            }
        };
    })
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
    /// The activation's type, e.g. `::mlp::core::LeakyRelu`.
    act_ty: TokenStream,
    /// The activation's value, e.g. `::mlp::core::LeakyRelu { slope: 0.2 }`.
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
    /// The loss's type and value, e.g. `::mlp::core::Huber` and `Huber { delta: 1.0 }`.
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

    /// `new()`, the one inherent method: everything else is the `Network` trait's.
    fn inherent(&self) -> TokenStream {
        let name = &self.name;
        quote! {
            impl #name {
                /// A network initialised from the fixed seed 0 (see `Network::seeded`).
                pub fn new() -> Self {
                    <Self as ::mlp::core::Network>::seeded(0)
                }
            }
        }
    }

    /// `Default` (seed 0) and `Clone`, which copies boxed layers heap to heap and
    /// `clone_from` into the existing layers, so that snapshots allocate nothing.
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
        }
    }

    /// The user's trait: types, consts, construction and batch-1 prediction.
    fn network_impl(&self) -> TokenStream {
        let (name, t, target) = (&self.name, &self.t, &self.target);
        let (input, output) = (self.input(), self.output());
        let (w_in, w_out) = (self.width(0), self.width(self.layers.len()));
        let n_layers = Literal::usize_unsuffixed(self.layers.len());
        let params =
            Literal::usize_unsuffixed(self.widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum());
        let widths = self.widths.iter().map(|&w| Literal::usize_unsuffixed(w));
        let loss_name = loss_name(self.net.loss.kind);
        let arch = architecture(self.net, &self.widths);
        let zeros = self.layers.iter().map(|l| {
            if l.boxed {
                quote!(::mlp::core::__private::heap_zeros())
            } else {
                quote!(::mlp::core::Dense::zeros())
            }
        });
        let weight_types = self.layers.iter().map(|l| {
            let (i, o) = (&l.inputs, &l.outputs);
            quote!(([[#t; #i]; #o], [#t; #o]))
        });
        let weight_sets = self.layers.iter().map(|l| {
            let (dst, idx) = (l.params_mut(quote!(net)), &l.index);
            quote!(*#dst = ::mlp::core::Dense::from_arrays(&weights.#idx.0, &weights.#idx.1);)
        });
        let forward = self.forward_vector(quote!(self));
        let a_last = format_ident!("a{}", self.layers.len());
        quote! {
            impl ::mlp::core::Network for #name {
                type Scalar = #t;
                type Input = #input;
                type Output = #output;
                type Target = #target;
                type Weights = (#(#weight_types,)*);
                type Compiled = __Passes;

                const INPUTS: usize = #w_in;
                const OUTPUTS: usize = #w_out;
                const LAYERS: usize = #n_layers;
                const PARAMS: usize = #params;
                const WIDTHS: &'static [usize] = &[#(#widths),*];
                const LOSS: &'static str = #loss_name;
                const ARCHITECTURE: &'static str = #arch;

                fn zeros() -> Self {
                    Self { layers: (#(#zeros,)*) }
                }

                fn from_weights(weights: Self::Weights) -> Self {
                    let mut net = <Self as ::mlp::core::Network>::zeros();
                    #(#weight_sets)*
                    net
                }

                #[inline]
                fn predict(&self, x: &#input) -> #output {
                    let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                    #(#forward)*
                    #a_last.into()
                }
            }
        }
    }

    /// Batch-1 forward on the stack: `z1 = W1 a0 + b1`, `a1 = act(z1)`, ...
    fn forward_vector(&self, net: TokenStream) -> Vec<TokenStream> {
        self.layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (a_prev, z, a) = (
                    format_ident!("a{}", i),
                    format_ident!("z{}", i + 1),
                    format_ident!("a{}", i + 1),
                );
                let (p, act) = (l.params(net.clone()), &l.act);
                quote! {
                    let #z = ::mlp::core::__private::kernels::dense_vector(#p, &#a_prev);
                    let #a = ::mlp::core::Activation::forward(&#act, &#z);
                }
            })
            .collect()
    }

    /// The runtime's contract: parameter access, the loss's checks, and the
    /// per-sample and batch passes.
    fn compiled_impl(&self) -> TokenStream {
        let (name, t, target) = (&self.name, &self.t, &self.target);
        let (loss_ty, loss) = (&self.loss_ty, &self.loss);
        let output = self.output();
        let w_out = self.width(self.layers.len());
        let n_tensors = 2 * self.layers.len();
        let initialise = self.layers.iter().map(|l| {
            let (dst, act_ty) = (l.params_mut(quote!(net)), &l.act_ty);
            quote!((#dst).initialise(<#act_ty as ::mlp::core::Activation>::INIT, &mut rng);)
        });
        let tensor_arms = self.tensor_arms(quote!(as_slice), false);
        let tensor_mut_arms = self.tensor_arms(quote!(as_mut_slice), true);
        let sample = self.sample_passes();
        let batch = self.batch_passes();
        quote! {
            /// The passes of the network above.
            pub struct __Passes;

            impl ::mlp::core::__private::Compiled<#name> for __Passes {
                fn initialise(net: &mut #name, seed: u64) {
                    let mut rng = ::mlp::core::__private::Uniform::new(seed);
                    #(#initialise)*
                }

                fn tensor(net: &#name, id: ::mlp::core::TensorId) -> &[#t] {
                    match id.index() {
                        #(#tensor_arms)*
                        index => ::core::panic!("tensor index {} out of range: the network has {} tensors", index, #n_tensors),
                    }
                }

                fn tensor_mut(net: &mut #name, id: ::mlp::core::TensorId) -> &mut [#t] {
                    match id.index() {
                        #(#tensor_mut_arms)*
                        index => ::core::panic!("tensor index {} out of range: the network has {} tensors", index, #n_tensors),
                    }
                }

                fn check_targets(targets: &[#target]) -> ::core::result::Result<(), ::mlp::core::Error> {
                    ::mlp::core::__private::loss::check_targets::<#loss_ty, #t, #w_out>(&#loss, targets)
                }

                fn accuracy(output: &#output, target: &#target) -> ::core::option::Option<f64> {
                    ::mlp::core::__private::loss::sample_accuracy::<#loss_ty, #t, #w_out>(&#loss, output, target)
                }

                #sample

                ::mlp::core::__with_alloc! {
                    #batch
                }
            }

        }
    }

    /// `index => net.layers.i.weight.as_slice(),` for every tensor.
    fn tensor_arms(&self, method: TokenStream, mutable: bool) -> Vec<TokenStream> {
        self.layers
            .iter()
            .map(|l| {
                let idx = &l.index;
                let (w, b) = (
                    Literal::usize_unsuffixed(2 * idx.index as usize),
                    Literal::usize_unsuffixed(2 * idx.index as usize + 1),
                );
                let layer = if mutable {
                    l.params_mut(quote!(net))
                } else {
                    l.params(quote!(net))
                };
                quote! {
                    #w => (#layer).weight.#method(),
                    #b => (#layer).bias.#method(),
                }
            })
            .collect()
    }

    /// One sample on the stack: its loss, and its backpropagation keeping every z,
    /// a and dropout mask going forward, then delta_L, ..., delta_1.
    fn sample_passes(&self) -> TokenStream {
        let (name, t, target) = (&self.name, &self.t, &self.target);
        let (loss_ty, loss) = (&self.loss_ty, &self.loss);
        let input = self.input();
        let layers = &self.layers;
        let n = layers.len();
        let w_out = self.width(n);
        let last = layers.last().unwrap();
        let (last_act, last_act_ty) = (&last.act, &last.act_ty);
        let (z_last, a_last, d_last) = (
            format_ident!("z{}", n),
            format_ident!("a{}", n),
            format_ident!("d{}", n),
        );
        let forward_loss = self.forward_vector(quote!(net));
        let forward = layers.iter().enumerate().map(|(i, l)| {
            let (z, a) = (format_ident!("z{}", i + 1), format_ident!("a{}", i + 1));
            let (p, act, o) = (l.params(quote!(net)), &l.act, &l.outputs);
            let x = sample_input_of(layers, i);
            let dropout = l.dropout.map(|rate| {
                let rate = Literal::f64_suffixed(rate);
                let (m, out) = (format_ident!("m{}", i + 1), format_ident!("o{}", i + 1));
                quote! {
                    let #m = ::mlp::core::__private::sample::dropout_mask::<#t, #o>(#rate, dropout.as_deref_mut());
                    let #out = ::mlp::core::__private::sample::masked(&#a, &#m);
                }
            });
            quote! {
                let #z = ::mlp::core::__private::kernels::dense_vector(#p, &#x);
                let #a = ::mlp::core::Activation::forward(&#act, &#z);
                #dropout
            }
        });
        let backward = layers.iter().enumerate().rev().map(|(i, l)| {
            let (p, g) = (l.params(quote!(net)), l.params_mut(quote!(grads)));
            let (x, delta) = (sample_input_of(layers, i), format_ident!("d{}", i + 1));
            let gradient =
                quote!(::mlp::core::__private::sample::add_dense_gradient(#g, &#x, &#delta););
            if i == 0 {
                return gradient;
            }
            let prev = &layers[i - 1];
            let (z, a, d) = (
                format_ident!("z{}", i),
                format_ident!("a{}", i),
                format_ident!("d{}", i),
            );
            let unmask = prev.dropout.map(|_| {
                let m = format_ident!("m{}", i);
                quote!(let #d = ::mlp::core::__private::sample::masked(&#d, &#m);)
            });
            let prev_act = &prev.act;
            quote! {
                #gradient
                let #d = ::mlp::core::__private::sample::input_gradient(#p, &#delta);
                #unmask
                let #d = ::mlp::core::Activation::backward(&#prev_act, &#z, &#a, &#d);
            }
        });
        quote! {
            fn sample_loss(net: &#name, x: &#input, y: &#target) -> #t {
                let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                #(#forward_loss)*
                ::mlp::core::Loss::value(&#loss, &#z_last, &#a_last, y)
            }

            #[allow(unused_mut, unused_variables)]
            fn add_sample_gradient(
                net: &#name,
                x: &#input,
                y: &#target,
                scale: #t,
                grads: &mut #name,
                mut dropout: ::core::option::Option<&mut ::mlp::core::__private::Uniform>,
            ) -> #t {
                let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                #(#forward)*
                let loss = ::mlp::core::Loss::value(&#loss, &#z_last, &#a_last, y);
                let #d_last = <#loss_ty as ::mlp::core::PairsWith<#last_act_ty, #w_out>>::delta(
                    &#loss, &#last_act, &#z_last, &#a_last, y,
                ) * scale;
                #(#backward)*
                loss
            }
        }
    }

    /// Over batch buffers (only with an allocator): l0 holds the inputs, l1.. each
    /// layer's z, a and delta. Forward `z_l = W_l a_{l-1} + b_l`, `a_l = act(z_l)`
    /// then dropout while training; backward from the output layer, `dW_l, db_l`
    /// from `delta_l`, then `delta_{l-1} = act'(z) * mask * W_l^T delta_l`.
    fn batch_passes(&self) -> TokenStream {
        let (name, t, target) = (&self.name, &self.t, &self.target);
        let loss = &self.loss;
        let (input, output) = (self.input(), self.output());
        let layers = &self.layers;
        let w_in = self.width(0);
        let last = layers.last().unwrap();
        let (last_act, last_buf, last_index) =
            (&last.act, &last.buf, syn::Index::from(layers.len()));
        let names: Vec<Ident> = (0..=layers.len())
            .map(|i| format_ident!("l{}", i))
            .collect();
        let types = std::iter::once(quote!(::mlp::core::__private::batch::Batch<#t, #w_in>)).chain(
            layers.iter().map(|l| {
                let o = &l.outputs;
                quote!(::mlp::core::__private::batch::LayerBuffers<#t, #o>)
            }),
        );
        let news = std::iter::once(quote!(::mlp::core::__private::batch::Batch::new(capacity)))
            .chain(layers.iter().map(|l| {
                if l.dropout.is_some() {
                    quote!(::mlp::core::__private::batch::LayerBuffers::with_dropout(
                        capacity
                    ))
                } else {
                    quote!(::mlp::core::__private::batch::LayerBuffers::new(capacity))
                }
            }));
        let forward = layers.iter().enumerate().map(|(i, l)| {
            let (p, act, buf) = (l.params(quote!(net)), &l.act, &l.buf);
            let x = input_of(layers, i);
            let dropout = l.dropout.map(|rate| {
                let rate = Literal::f64_suffixed(rate);
                quote!(#buf.drop_out(#rate, dropout.as_deref_mut());)
            });
            quote! {
                ::mlp::core::__private::kernels::dense_forward(#p, #x, &mut #buf.z);
                ::mlp::core::Activation::forward_batch(&#act, &#buf.z, &mut #buf.a);
                #dropout
            }
        });
        let backward = layers.iter().enumerate().rev().map(|(i, l)| {
            let (p, g, buf, prev) = (
                l.params(quote!(net)),
                l.params_mut(quote!(grads)),
                &l.buf,
                &l.prev,
            );
            let x = input_of(layers, i);
            let gradient = quote!(::mlp::core::__private::kernels::dense_gradient(#g, #x, #buf););
            if i == 0 {
                return gradient;
            }
            let prev_act = &layers[i - 1].act;
            let mask = layers[i - 1]
                .dropout
                .map(|_| quote!(#prev.mask_gradient();));
            quote! {
                #gradient
                ::mlp::core::__private::kernels::dense_input_gradient(#p, &#buf.delta, &mut #prev.delta);
                #mask
                ::mlp::core::Activation::backward_batch(&#prev_act, &#prev.z, &#prev.a, &mut #prev.delta);
            }
        });
        quote! {
            type Buffers = (#(#types,)*);

            fn buffers(capacity: usize) -> Self::Buffers {
                (#(#news,)*)
            }

            #[allow(unused_mut, unused_variables)]
            fn forward(
                net: &#name,
                buffers: &mut Self::Buffers,
                inputs: &[#input],
                mut dropout: ::core::option::Option<&mut ::mlp::core::__private::Uniform>,
            ) {
                let (#(#names,)*) = buffers;
                l0.load(inputs);
                #(#forward)*
            }

            fn outputs(buffers: &Self::Buffers, outputs: &mut [#output]) {
                buffers.#last_index.a.store(outputs);
            }

            fn loss_sum(buffers: &mut Self::Buffers, targets: &[#target]) -> #t {
                ::mlp::core::__private::loss::loss_sum(&#loss, &#last_act, &mut buffers.#last_index, targets)
            }

            fn backward(
                net: &#name,
                buffers: &mut Self::Buffers,
                targets: &[#target],
                scale: #t,
                grads: &mut #name,
            ) -> #t {
                let (#(#names,)*) = buffers;
                let loss = ::mlp::core::__private::loss::output_delta(&#loss, &#last_act, #last_buf, targets, scale);
                #(#backward)*
                loss
            }
        }
    }
}

/// What layer `i` reads in the per-sample pass: the input, the previous layer's
/// `a`, or its output after dropout when it declares dropout.
fn sample_input_of(layers: &[Layer], i: usize) -> Ident {
    match i {
        0 => format_ident!("a0"),
        _ if layers[i - 1].dropout.is_some() => format_ident!("o{}", i),
        _ => format_ident!("a{}", i),
    }
}

/// What layer `i` reads: the input batch, the previous layer's `a`, or its
/// dropped-out output when it declares dropout.
fn input_of(layers: &[Layer], i: usize) -> TokenStream {
    let prev = &layers[i].prev;
    match i {
        0 => quote!(#prev),
        _ if layers[i - 1].dropout.is_some() => quote!(#prev.output()),
        _ => quote!(&#prev.a),
    }
}

/// The type and value of an activation, e.g. `(LeakyRelu, LeakyRelu { slope: 0.01 })`.
fn activation(kind: ActivationKind, param: Option<f64>) -> (TokenStream, TokenStream) {
    let unit = |ty: TokenStream| (ty.clone(), ty);
    match kind {
        ActivationKind::Sigmoid => unit(quote!(::mlp::core::Sigmoid)),
        ActivationKind::Tanh => unit(quote!(::mlp::core::Tanh)),
        ActivationKind::Relu => unit(quote!(::mlp::core::Relu)),
        ActivationKind::Linear => unit(quote!(::mlp::core::Linear)),
        ActivationKind::Softmax => unit(quote!(::mlp::core::Softmax)),
        ActivationKind::Softplus => unit(quote!(::mlp::core::Softplus)),
        ActivationKind::Gelu => unit(quote!(::mlp::core::Gelu)),
        ActivationKind::LeakyRelu => {
            let slope = Literal::f64_suffixed(param.unwrap_or(0.01));
            (
                quote!(::mlp::core::LeakyRelu),
                quote!(::mlp::core::LeakyRelu { slope: #slope }),
            )
        }
        ActivationKind::Elu => {
            let alpha = Literal::f64_suffixed(param.unwrap_or(1.0));
            (
                quote!(::mlp::core::Elu),
                quote!(::mlp::core::Elu { alpha: #alpha }),
            )
        }
    }
}

/// The type and value of the network's loss, e.g. `(Huber, Huber { delta: 1.0 })`.
fn loss(net: &Network) -> (TokenStream, TokenStream) {
    let unit = |ty: TokenStream| (ty.clone(), ty);
    match net.loss.kind {
        LossKind::Mse => unit(quote!(::mlp::core::Mse)),
        LossKind::Sse => unit(quote!(::mlp::core::Sse)),
        LossKind::Mae => unit(quote!(::mlp::core::Mae)),
        LossKind::Bce => unit(quote!(::mlp::core::Bce)),
        LossKind::Cce => unit(quote!(::mlp::core::Cce)),
        LossKind::SparseCce => unit(quote!(::mlp::core::SparseCce)),
        LossKind::Hinge => unit(quote!(::mlp::core::Hinge)),
        LossKind::Perceptron => unit(quote!(::mlp::core::Perceptron)),
        LossKind::Huber => {
            let delta = Literal::f64_suffixed(net.loss.param.map_or(1.0, |p| p.value));
            (
                quote!(::mlp::core::Huber),
                quote!(::mlp::core::Huber { delta: #delta }),
            )
        }
    }
}

/// The traits the expansion implements itself, with the `core` module of each.
const GENERATED_IMPLS: [(&str, &str); 4] = [
    ("clone", "Clone"),
    ("fmt", "Debug"),
    ("cmp", "PartialEq"),
    ("default", "Default"),
];

/// The item's attributes as the struct carries them. A derive of a trait the
/// expansion implements itself would conflict with that impl, so it is dropped:
/// `#[derive(Clone, Hash)]` becomes `#[derive(Hash)]`, `#[derive(Debug)]` goes away.
/// Every other attribute, and a derive that is not a list of paths, passes through
/// for rustc to judge.
fn struct_attributes(attrs: &[Attribute]) -> Vec<Attribute> {
    let mut kept = Vec::with_capacity(attrs.len());
    for attr in attrs {
        let paths = match &attr.meta {
            Meta::List(list) if list.path.is_ident("derive") => {
                list.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
            }
            _ => {
                kept.push(attr.clone());
                continue;
            }
        };
        let Ok(paths) = paths else {
            kept.push(attr.clone());
            continue;
        };
        if !paths.iter().any(is_generated_impl) {
            kept.push(attr.clone());
            continue;
        }
        let others: Vec<&Path> = paths.iter().filter(|p| !is_generated_impl(p)).collect();
        if !others.is_empty() {
            let mut attr = attr.clone();
            if let Meta::List(list) = &mut attr.meta {
                list.tokens = quote!(#(#others),*);
            }
            kept.push(attr);
        }
    }
    kept
}

/// Whether a derive names one of [`GENERATED_IMPLS`]: `Clone`, or its full path
/// `std::clone::Clone` / `::core::clone::Clone`.
fn is_generated_impl(path: &Path) -> bool {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    GENERATED_IMPLS
        .iter()
        .any(|(module, name)| match segments.as_slice() {
            [only] => path.leading_colon.is_none() && only == name,
            [krate, m, n] => (krate == "std" || krate == "core") && m == module && n == name,
            _ => false,
        })
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
mod tests {
    use super::*;

    /// The attributes the struct of `item` gets, as text.
    fn emitted(item: TokenStream) -> Vec<String> {
        let net = parse::parse(item).expect("the item parses");
        struct_attributes(&net.attrs)
            .iter()
            .map(|a| quote!(#a).to_string())
            .collect()
    }

    #[test]
    fn derives_of_generated_impls_are_dropped() {
        let attrs = emitted(quote! {
            #[derive(Clone, Debug, PartialEq, Default)]
            #[derive(std::clone::Clone, ::core::fmt::Debug, core::cmp::PartialEq)]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert!(attrs.is_empty(), "{attrs:?}");
    }

    #[test]
    fn other_derives_in_the_same_attribute_are_kept_in_order() {
        let attrs = emitted(quote! {
            #[derive(Copy, Clone, Hash, Debug)]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert_eq!(attrs, ["# [derive (Copy , Hash)]"]);
    }

    #[test]
    fn other_attributes_and_derives_pass_through_untouched() {
        let attrs = emitted(quote! {
            /// Docs.
            #[derive(Hash)]
            #[allow(dead_code)]
            #[derive(my::Clone, Clone::Clone)]
            #[derive(3)]
            #[derive]
            #[cfg_attr(test, derive(Debug))]
            struct Net { 2 => 1 linear; loss = mse }
        });
        assert_eq!(
            attrs,
            [
                "# [doc = r\" Docs.\"]",
                "# [derive (Hash)]",
                "# [allow (dead_code)]",
                "# [derive (my :: Clone , Clone :: Clone)]",
                "# [derive (3)]",
                "# [derive]",
                "# [cfg_attr (test , derive (Debug))]",
            ]
        );
    }

    #[test]
    fn a_derive_of_a_generated_impl_expands_without_errors() {
        let tokens = network(
            quote! {
                #[derive(Clone, Debug)]
                struct Net { 2 => 1 linear; loss = mse }
            },
            None,
        )
        .to_string();
        assert!(!tokens.contains("compile_error"), "{tokens}");
        // Only the expansion's own derive is left.
        assert_eq!(tokens.matches("derive").count(), 1, "{tokens}");
        assert!(!tokens.contains("derive (Clone"), "{tokens}");
    }
}
