//! Code generation: a validated [`Network`] becomes a struct holding one
//! `Dense<T, IN, OUT>` per layer, its `mlp::core::Network` implementation and
//! inherent convenience methods.
//!
//! The forward and backward passes are straight-line code over the layers, one
//! kernel call per step, so `cargo expand` reads like the textbook:
//! `z1, a1, z2, a2, ...` then `delta_L, delta_{L-1}, ...`. There are two of each:
//! over batch buffers (only with an allocator, see `__with_alloc!`) and over one
//! sample's stack vectors (`predict_vector`, `add_sample_gradient`).

use crate::ast::{ActivationKind, LossKind, Network, ScalarKind};
use crate::keyword::{activation_name, loss_name};
use crate::{fallback, parse, validate};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Path, Token};

/// Layers with more parameters than this live on the heap, so that large networks
/// never pass through the stack.
const INLINE_PARAMS: usize = 4096;

/// The whole macro: parse, validate, expand; errors become `compile_error!`.
/// `base` is the directory a relative `weights = "path"` starts from.
pub fn network(input: TokenStream, base: Option<&std::path::Path>) -> TokenStream {
    let net = match parse::parse(input) {
        Ok(net) => net,
        Err(e) => return e.into_compile_error(),
    };
    let compiled = match validate::validate(&net).and_then(|()| compiled_weights(&net, base)) {
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
    let Some(lit) = &net.weights else {
        return Ok(TokenStream::new());
    };
    let widths: Vec<usize> = std::iter::once(net.input.value)
        .chain(net.layers.iter().map(|l| l.width.value))
        .collect();
    for (i, w) in widths.windows(2).enumerate() {
        let params = w[0] * w[1] + w[1];
        if params > INLINE_PARAMS {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "compiled-in weights are constants, for layers of at most {INLINE_PARAMS} \
                     parameters; layer {i} has {params}: load this network at run time with \
                     `Network::load`"
                ),
            ));
        }
    }
    let tensors = crate::weights::read(
        lit,
        base,
        &widths,
        net.scalar.kind,
        &architecture(net, &widths),
    )?;
    let name = match &net.name {
        Some(name) => name.clone(),
        None => {
            return Err(syn::Error::new(
                lit.span(),
                "compiled-in weights need a named network: write `struct Name { ... }` around it",
            ));
        }
    };
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
                /// run time with `Network::load`.
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

pub fn expand(net: &Network) -> TokenStream {
    let name = net
        .name
        .clone()
        .unwrap_or_else(|| format_ident!("AnonymousNetwork"));
    let vis = &net.vis;
    let attrs = struct_attributes(&net.attrs);
    // The scalar type carries the span of the user's `scalar = ...`, if written.
    let t = match net.scalar.kind {
        ScalarKind::F32 => Ident::new("f32", net.scalar.span),
        ScalarKind::F64 => Ident::new("f64", net.scalar.span),
    };
    let widths: Vec<usize> = std::iter::once(net.input.value)
        .chain(net.layers.iter().map(|l| l.width.value))
        .collect();
    let layers: Vec<Layer> = net
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
    let n_tensors = 2 * layers.len();
    let params = Literal::usize_unsuffixed(widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum());
    let widths_lit: Vec<Literal> = widths
        .iter()
        .map(|&w| Literal::usize_unsuffixed(w))
        .collect();
    let w_in = &widths_lit[0];
    let w_out = widths_lit.last().unwrap();
    let (loss_ty, loss) = loss(net);
    let loss_name = loss_name(net.loss.kind);
    let target = match net.loss.kind {
        LossKind::SparseCce => quote!(usize),
        _ => quote!([#t; #w_out]),
    };
    let last = layers.last().unwrap();
    let (last_act, last_buf, last_index) = (&last.act, &last.buf, syn::Index::from(layers.len()));

    // The struct.
    let layer_types = layers.iter().map(|l| {
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
        format!(" - `layers.{i}`: {} => {} {act}", widths[i], widths[i + 1])
    });
    let arch = architecture(net, &widths);
    let summary = format!(" Architecture: `{arch}`.");

    // Construction.
    let zeros = layers.iter().map(|l| {
        if l.boxed {
            quote!(::mlp::core::__private::heap_zeros())
        } else {
            quote!(::mlp::core::Dense::zeros())
        }
    });
    // Boxed layers are copied heap to heap, never through the stack.
    let clones = layers.iter().map(|l| {
        let idx = &l.index;
        if l.boxed {
            quote!(::mlp::core::__private::heap_clone(&self.layers.#idx))
        } else {
            quote!(self.layers.#idx)
        }
    });
    // Into the existing layers, so that snapshots (the trainer's, every epoch)
    // allocate nothing.
    let copies = layers.iter().map(|l| {
        let (dst, src) = (l.params_mut(quote!(self)), l.params(quote!(source)));
        quote!(::mlp::core::Dense::copy_from(#dst, #src);)
    });
    let weight_args: Vec<Ident> = (0..layers.len())
        .map(|i| format_ident!("layer{}", i))
        .collect();
    let weight_arg_types = layers.iter().map(|l| {
        let (i, o) = (&l.inputs, &l.outputs);
        quote!(([[#t; #i]; #o], [#t; #o]))
    });
    let weight_sets = layers.iter().zip(&weight_args).map(|(l, arg)| {
        let dst = l.params_mut(quote!(net));
        quote!(*#dst = ::mlp::core::Dense::from_arrays(&#arg.0, &#arg.1);)
    });
    let initialise = layers.iter().map(|l| {
        let (idx, act_ty) = (&l.index, &l.act_ty);
        quote!(self.layers.#idx.initialise(<#act_ty as ::mlp::core::Activation>::INIT, &mut rng);)
    });

    // Parameter access.
    let tensor_arms = layers.iter().map(|l| {
        let idx = &l.index;
        let (w, b) = (
            Literal::usize_unsuffixed(2 * idx.index as usize),
            Literal::usize_unsuffixed(2 * idx.index as usize + 1),
        );
        quote! {
            #w => self.layers.#idx.weight.as_slice(),
            #b => self.layers.#idx.bias.as_slice(),
        }
    });
    let tensor_mut_arms = layers.iter().map(|l| {
        let idx = &l.index;
        let (w, b) = (
            Literal::usize_unsuffixed(2 * idx.index as usize),
            Literal::usize_unsuffixed(2 * idx.index as usize + 1),
        );
        quote! {
            #w => self.layers.#idx.weight.as_mut_slice(),
            #b => self.layers.#idx.bias.as_mut_slice(),
        }
    });
    let eq = layers.iter().map(|l| {
        let idx = &l.index;
        quote!(self.layers.#idx == other.layers.#idx)
    });
    let debug_fields = layers.iter().map(|l| {
        let idx = &l.index;
        let label = format!("layers.{}", idx.index);
        quote!(.field(#label, &self.layers.#idx))
    });

    // Batch-1 forward: a1 = act(W1 a0 + b1), ...
    let forward_vector: Vec<TokenStream> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (a_prev, z, a) = (
                format_ident!("a{}", i),
                format_ident!("z{}", i + 1),
                format_ident!("a{}", i + 1),
            );
            let (p, act) = (l.params(quote!(self)), &l.act);
            quote! {
                let #z = ::mlp::core::kernels::dense_vector(#p, &#a_prev);
                let #a = ::mlp::core::Activation::forward(&#act, &#z);
            }
        })
        .collect();
    let a_last = format_ident!("a{}", layers.len());

    // Batch buffers: l0 holds the inputs, l1.. hold each layer's z, a and delta.
    let buffer_names: Vec<Ident> = (0..=layers.len())
        .map(|i| format_ident!("l{}", i))
        .collect();
    let buffer_types = std::iter::once(quote!(::mlp::core::batch::Batch<#t, #w_in>)).chain(
        layers.iter().map(|l| {
            let o = &l.outputs;
            quote!(::mlp::core::batch::LayerBuffers<#t, #o>)
        }),
    );
    let buffer_news = std::iter::once(quote!(::mlp::core::batch::Batch::new(capacity))).chain(
        layers.iter().map(|l| {
            if l.dropout.is_some() {
                quote!(::mlp::core::batch::LayerBuffers::with_dropout(capacity))
            } else {
                quote!(::mlp::core::batch::LayerBuffers::new(capacity))
            }
        }),
    );

    // Batch forward: z_l = W_l a_{l-1} + b_l, a_l = act(z_l), then dropout while
    // training on layers that declare it.
    let forward_batch = layers.iter().enumerate().map(|(i, l)| {
        let (p, act, buf) = (l.params(quote!(self)), &l.act, &l.buf);
        let input = input_of(&layers, i);
        let dropout = l.dropout.map(|rate| {
            let rate = Literal::f64_suffixed(rate);
            quote!(#buf.drop_out(#rate, dropout.as_deref_mut());)
        });
        quote! {
            ::mlp::core::kernels::dense_forward(#p, #input, &mut #buf.z);
            ::mlp::core::Activation::forward_batch(&#act, &#buf.z, &mut #buf.a);
            #dropout
        }
    });

    // Backward, output layer first: dW_l, db_l from delta_l; delta_{l-1} =
    // act'(z) * mask * W_l^T delta_l (the mask only after dropout while training).
    let backward = layers.iter().enumerate().rev().map(|(i, l)| {
        let (p, g, buf, prev) = (l.params(quote!(self)), l.params_mut(quote!(grads)), &l.buf, &l.prev);
        let input = input_of(&layers, i);
        if i == 0 {
            quote! {
                ::mlp::core::kernels::dense_gradient(#g, #input, #buf);
            }
        } else {
            let prev_act = &layers[i - 1].act;
            let mask = layers[i - 1].dropout.map(|_| quote!(#prev.mask_gradient();));
            quote! {
                ::mlp::core::kernels::dense_gradient(#g, #input, #buf);
                ::mlp::core::kernels::dense_input_gradient(#p, &#buf.delta, &mut #prev.delta);
                #mask
                ::mlp::core::Activation::backward_batch(&#prev_act, &#prev.z, &#prev.a, &mut #prev.delta);
            }
        }
    });

    // One sample on the stack, for training without batch buffers: the forward
    // pass keeping every z, a and dropout mask, then delta_L, ..., delta_1.
    let forward_sample = layers.iter().enumerate().map(|(i, l)| {
        let (z, a) = (format_ident!("z{}", i + 1), format_ident!("a{}", i + 1));
        let (p, act, o) = (l.params(quote!(self)), &l.act, &l.outputs);
        let input = sample_input_of(&layers, i);
        let dropout = l.dropout.map(|rate| {
            let rate = Literal::f64_suffixed(rate);
            let (m, out) = (format_ident!("m{}", i + 1), format_ident!("o{}", i + 1));
            quote! {
                let #m = ::mlp::core::sample::dropout_mask::<#t, #o>(#rate, dropout.as_deref_mut());
                let #out = ::mlp::core::sample::masked(&#a, &#m);
            }
        });
        quote! {
            let #z = ::mlp::core::kernels::dense_vector(#p, &#input);
            let #a = ::mlp::core::Activation::forward(&#act, &#z);
            #dropout
        }
    });
    let backward_sample = layers.iter().enumerate().rev().map(|(i, l)| {
        let (p, g) = (l.params(quote!(self)), l.params_mut(quote!(grads)));
        let (input, delta) = (sample_input_of(&layers, i), format_ident!("d{}", i + 1));
        let gradient = quote!(::mlp::core::sample::add_dense_gradient(#g, &#input, &#delta););
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
            quote!(let #d = ::mlp::core::sample::masked(&#d, &#m);)
        });
        let prev_act = &prev.act;
        quote! {
            #gradient
            let #d = ::mlp::core::sample::input_gradient(#p, &#delta);
            #unmask
            let #d = ::mlp::core::Activation::backward(&#prev_act, &#z, &#a, &#d);
        }
    });
    let (z_last, d_last) = (
        format_ident!("z{}", layers.len()),
        format_ident!("d{}", layers.len()),
    );
    let last_act_ty = &last.act_ty;

    let definition = quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = #summary]
        #vis struct #name {
            /// The dense layers, input side first; saved as `layers.{i}.weight` and
            /// `layers.{i}.bias`.
            ///
            #(#[doc = #layer_docs])*
            pub layers: (#(#layer_types,)*),
        }
    };

    let implementation = quote! {
        impl #name {
            /// Width of the input.
            pub const INPUTS: usize = #w_in;
            /// Width of the output.
            pub const OUTPUTS: usize = #w_out;
            /// Number of trainable parameters (weights and biases).
            pub const PARAMS: usize = #params;

            /// A network initialised from the fixed seed 0 (see [`Self::seeded`]).
            pub fn new() -> Self {
                Self::seeded(0)
            }

            /// A network initialised from `seed`: Glorot/Xavier uniform weights for
            /// sigmoid, tanh, linear and softmax layers, He uniform for the relu
            /// family, zero biases. The same seed gives the same weights everywhere.
            pub fn seeded(seed: u64) -> Self {
                <Self as ::mlp::core::Network>::seeded(seed)
            }

            /// A network with every parameter zero.
            pub fn zeros() -> Self {
                <Self as ::mlp::core::Network>::zeros()
            }

            /// A network from explicit parameters, one `(weight, bias)` pair per layer;
            /// `weight[o][i]` connects input `i` to output `o` (PyTorch's layout).
            ///
            /// The arrays are arguments by value, so they pass through the stack: a
            /// 784-input layer alone is 400 KB of `f32`. Build a large network with
            /// `zeros()` and `Network::set_flat`, or load it (`Network::load`), instead.
            #[allow(clippy::too_many_arguments)]
            pub fn from_weights(#(#weight_args: #weight_arg_types),*) -> Self {
                let mut net = Self::zeros();
                #(#weight_sets)*
                net
            }

            /// Replaces every parameter with a fresh draw from `seed` (see [`Self::seeded`]).
            pub fn reinitialise(&mut self, seed: u64) {
                <Self as ::mlp::core::Network>::initialise(self, seed)
            }

            /// The output for one sample. Allocates nothing and does not validate: a
            /// non-finite input gives what IEEE arithmetic gives.
            #[inline]
            pub fn predict(&self, x: &[#t; #w_in]) -> [#t; #w_out] {
                self.predict_vector(&::mlp::core::nalgebra::SVector::from(*x)).into()
            }

            /// [`Self::predict`] on nalgebra vectors.
            #[inline]
            pub fn predict_vector(
                &self,
                a0: &::mlp::core::nalgebra::SVector<#t, #w_in>,
            ) -> ::mlp::core::nalgebra::SVector<#t, #w_out> {
                #(#forward_vector)*
                #a_last
            }
        }

        // The batch methods need an allocator: kept only when mlp-core has one.
        ::mlp::core::__with_alloc! {
        impl #name {
            /// The outputs for every row of `inputs`.
            pub fn predict_batch(&self, inputs: &[[#t; #w_in]]) -> ::mlp::core::__private::Vec<[#t; #w_out]> {
                <Self as ::mlp::core::Network>::predict_batch(self, inputs)
            }

            /// The loss over a batch of rows and their targets.
            ///
            /// # Errors
            ///
            /// As [`mlp::Network::loss_with`]: no rows, unequal row counts, a NaN or
            /// infinite input, or a target the loss does not accept.
            pub fn loss(
                &self,
                inputs: &[[#t; #w_in]],
                targets: &[#target],
            ) -> ::core::result::Result<#t, ::mlp::core::Error> {
                <Self as ::mlp::core::Network>::loss(self, inputs, targets)
            }

            /// The gradient of the batch loss with respect to every parameter, as a
            /// value of this network's own shape.
            ///
            /// # Errors
            ///
            /// As [`Self::loss`].
            pub fn gradients(
                &self,
                inputs: &[[#t; #w_in]],
                targets: &[#target],
            ) -> ::core::result::Result<::mlp::core::Gradients<Self>, ::mlp::core::Error> {
                <Self as ::mlp::core::Network>::gradients(self, inputs, targets)
            }

            /// Trains on the rows as `settings` say and returns every epoch's
            /// measurements; nothing changes if a setting or a row is invalid.
            ///
            /// # Errors
            ///
            /// As [`mlp::core::train::fit`].
            pub fn fit(
                &mut self,
                inputs: &[[#t; #w_in]],
                targets: &[#target],
                settings: &::mlp::core::train::Fit,
            ) -> ::core::result::Result<::mlp::core::train::History, ::mlp::core::Error> {
                <Self as ::mlp::core::Network>::fit(self, inputs, targets, settings)
            }
        }
        }

        impl #name {
            /// One step of gradient descent, `W <- W - learning_rate * dL/dW`.
            /// Nothing changes if the rate or a gradient is not finite.
            ///
            /// # Errors
            ///
            /// As [`mlp::Network::step`].
            pub fn step(
                &mut self,
                grads: &Self,
                learning_rate: #t,
            ) -> ::core::result::Result<(), ::mlp::core::Error> {
                <Self as ::mlp::core::Network>::step(self, grads, learning_rate)
            }
        }

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

        impl ::core::cmp::PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                #(#eq)&&*
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!(#name))
                    #(#debug_fields)*
                    .finish()
            }
        }

        impl ::mlp::core::Network for #name {
            type Scalar = #t;
            type Input = [#t; #w_in];
            type Output = [#t; #w_out];
            type Target = #target;

            const INPUTS: usize = #w_in;
            const OUTPUTS: usize = #w_out;
            const PARAMS: usize = #params;
            const WIDTHS: &'static [usize] = &[#(#widths_lit),*];
            const LOSS: &'static str = #loss_name;
            const ARCHITECTURE: &'static str = #arch;

            fn zeros() -> Self {
                Self { layers: (#(#zeros,)*) }
            }

            fn initialise(&mut self, seed: u64) {
                let mut rng = ::mlp::core::init::Uniform::new(seed);
                #(#initialise)*
            }

            fn tensor(&self, index: usize) -> &[#t] {
                match index {
                    #(#tensor_arms)*
                    _ => ::core::panic!("tensor index {} out of range: the network has {} tensors", index, #n_tensors),
                }
            }

            fn tensor_mut(&mut self, index: usize) -> &mut [#t] {
                match index {
                    #(#tensor_mut_arms)*
                    _ => ::core::panic!("tensor index {} out of range: the network has {} tensors", index, #n_tensors),
                }
            }

            #[inline]
            fn predict(&self, x: &[#t; #w_in]) -> [#t; #w_out] {
                #name::predict(self, x)
            }

            fn check_targets(targets: &[#target]) -> ::core::result::Result<(), ::mlp::core::Error> {
                ::mlp::core::loss::check_targets::<#loss_ty, #t, #w_out>(&#loss, targets)
            }

            fn accuracy(output: &[#t; #w_out], target: &#target) -> ::core::option::Option<f64> {
                ::mlp::core::loss::sample_accuracy::<#loss_ty, #t, #w_out>(&#loss, output, target)
            }

            fn sample_loss(&self, x: &[#t; #w_in], y: &#target) -> #t {
                let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                #(#forward_vector)*
                ::mlp::core::Loss::value(&#loss, &#z_last, &#a_last, y)
            }

            #[allow(unused_mut, unused_variables)]
            fn add_sample_gradient(
                &self,
                x: &[#t; #w_in],
                y: &#target,
                scale: #t,
                grads: &mut Self,
                mut dropout: ::core::option::Option<&mut ::mlp::core::init::Uniform>,
            ) -> #t {
                let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                #(#forward_sample)*
                let loss = ::mlp::core::Loss::value(&#loss, &#z_last, &#a_last, y);
                let #d_last = <#loss_ty as ::mlp::core::PairsWith<#last_act_ty, #w_out>>::delta(
                    &#loss, &#last_act, &#z_last, &#a_last, y,
                ) * scale;
                #(#backward_sample)*
                loss
            }

            // Batch buffers and passes, with an allocator only.
            ::mlp::core::__with_alloc! {
            type Buffers = (#(#buffer_types,)*);

            fn buffers(capacity: usize) -> Self::Buffers {
                (#(#buffer_news,)*)
            }

            #[allow(unused_mut, unused_variables)]
            fn forward(
                &self,
                buffers: &mut Self::Buffers,
                inputs: &[[#t; #w_in]],
                mut dropout: ::core::option::Option<&mut ::mlp::core::init::Uniform>,
            ) {
                let (#(#buffer_names,)*) = buffers;
                l0.load(inputs);
                #(#forward_batch)*
            }

            fn outputs(buffers: &Self::Buffers, outputs: &mut [[#t; #w_out]]) {
                buffers.#last_index.a.store(outputs);
            }

            fn loss_sum(buffers: &mut Self::Buffers, targets: &[#target]) -> #t {
                ::mlp::core::loss::loss_sum(&#loss, &#last_act, &mut buffers.#last_index, targets)
            }

            fn backward(
                &self,
                buffers: &mut Self::Buffers,
                targets: &[#target],
                scale: #t,
                grads: &mut Self,
            ) -> #t {
                let (#(#buffer_names,)*) = buffers;
                let loss = ::mlp::core::loss::output_delta(&#loss, &#last_act, #last_buf, targets, scale);
                #(#backward)*
                loss
            }
            }
        }
    };

    match &net.name {
        Some(_) => quote! {
            #definition
            const _: () = { #implementation };
        },
        None => quote! {{
            #definition
            #implementation
            #name::new()
        }},
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
        assert!(!tokens.contains("derive"), "{tokens}");
    }
}
