//! The hidden `Compiled` implementation: parameter access, the loss's checks, and
//! the forward and backward passes over one sample and over batch buffers.

use super::{Expansion, Layer};
use crate::ast::ScalarKind;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{ToTokens, format_ident, quote};

impl Expansion<'_> {
    /// The runtime's contract: parameter access, the loss's checks, and the
    /// per-sample and batch passes.
    pub(super) fn compiled_impl(&self) -> TokenStream {
        let (name, t, target) = (&self.name, &self.t, &self.target);
        let (loss_ty, loss) = (&self.loss_ty, &self.loss);
        let output = self.output();
        let w_out = self.width(self.layers.len());
        let n_tensors = 2 * self.layers.len();
        let initialise = self.layers.iter().map(|l| {
            let (dst, act_ty) = (l.params_mut(quote!(net)), &l.act_ty);
            quote!((#dst).initialise(<#act_ty as ::mlp::core::__private::Activation>::INIT, &mut rng);)
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

                fn regression_target(target: &#target) -> ::core::option::Option<&[#t]> {
                    ::mlp::core::__private::loss::regression_values::<#loss_ty, #t, #w_out>(target)
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
        let forward_loss = self.forward_vector(quote!(net), true);
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
                let (#z, #a) = ::mlp::core::__private::Activation::dense_forward(&#act, #p, &#x);
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
                let #d = ::mlp::core::__private::Activation::backward(&#prev_act, &#z, &#a, &#d);
            }
        });
        quote! {
            fn sample_loss(net: &#name, x: &#input, y: &#target) -> #t {
                let a0 = ::mlp::core::nalgebra::SVector::from(*x);
                #(#forward_loss)*
                ::mlp::core::__private::Loss::value(&#loss, &#z_last, &#a_last, y)
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
                let loss = ::mlp::core::__private::Loss::value(&#loss, &#z_last, &#a_last, y);
                let #d_last = <#loss_ty as ::mlp::core::__private::PairsWith<#last_act_ty, #w_out>>::delta(
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
            (&last.act, &last.buf, syn::Index::from(layers.len() - 1));
        // a0 is the input rows, read in place; l1.. each layer's z, a and delta,
        // bound by their textbook names (z1, a1, d1) where a step reads them.
        let names: Vec<Ident> = (1..=layers.len())
            .map(|i| format_ident!("l{}", i))
            .collect();
        let parts = quote!(::mlp::core::__private::batch::LayerBuffers);
        let rows = quote!(let a0 = &::mlp::core::__private::batch::Rows::<#t, #w_in>(inputs););
        let types = layers.iter().map(|l| {
            let o = &l.outputs;
            quote!(::mlp::core::__private::batch::LayerBuffers<#t, #o>)
        });
        let news = layers.iter().map(|l| {
            if l.dropout.is_some() {
                quote!(::mlp::core::__private::batch::LayerBuffers::with_dropout(
                    capacity
                ))
            } else {
                quote!(::mlp::core::__private::batch::LayerBuffers::new(capacity))
            }
        });
        let forward = layers.iter().enumerate().map(|(i, l)| {
            let (p, act, buf) = (l.params(quote!(net)), &l.act, &l.buf);
            let (z, a) = (format_ident!("z{}", i + 1), format_ident!("a{}", i + 1));
            // The previous layer's `a` binding, or its output after dropout.
            let x = match i {
                0 => quote!(a0),
                _ if layers[i - 1].dropout.is_some() => {
                    let prev = &l.prev;
                    quote!(#prev.output())
                }
                _ => format_ident!("a{}", i).into_token_stream(),
            };
            let dropout = l.dropout.map(|rate| {
                let rate = Literal::f64_suffixed(rate);
                quote!(#buf.drop_out(#rate, dropout.as_deref_mut());)
            });
            quote! {
                let #parts { z: #z, a: #a, .. } = &mut *#buf;
                ::mlp::core::__private::Activation::dense_forward_batch(&#act, #p, #x, #z, #a);
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
            let (z, a, d) = (
                format_ident!("z{}", i),
                format_ident!("a{}", i),
                format_ident!("d{}", i),
            );
            // d_{l-1} = W_l^T d_l, through the dropout mask, then times act'(z_{l-1}).
            let input_gradient = match layers[i - 1].dropout {
                Some(_) => quote! {
                    ::mlp::core::__private::kernels::dense_input_gradient(#p, &#buf.delta, &mut #prev.delta);
                    #prev.mask_gradient();
                    let #parts { z: #z, a: #a, delta: #d, .. } = &mut *#prev;
                },
                None => quote! {
                    let #parts { z: #z, a: #a, delta: #d, .. } = &mut *#prev;
                    ::mlp::core::__private::kernels::dense_input_gradient(#p, &#buf.delta, #d);
                },
            };
            quote! {
                #gradient
                #input_gradient
                ::mlp::core::__private::Activation::backward_batch(&#prev_act, #z, #a, #d);
            }
        });
        let infer = self.infer();
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
                #rows
                #(#forward)*
            }

            #infer

            fn outputs(buffers: &Self::Buffers, outputs: &mut [#output]) {
                buffers.#last_index.a.store(outputs);
            }

            fn loss_sum(buffers: &mut Self::Buffers, targets: &[#target]) -> #t {
                ::mlp::core::__private::loss::loss_sum(&#loss, &#last_act, &mut buffers.#last_index, targets)
            }

            fn backward(
                net: &#name,
                buffers: &mut Self::Buffers,
                inputs: &[#input],
                targets: &[#target],
                scale: #t,
                weights: ::core::option::Option<&[#t]>,
                grads: &mut #name,
            ) -> #t {
                let (#(#names,)*) = buffers;
                #rows
                let loss = ::mlp::core::__private::loss::output_delta(&#loss, &#last_act, #last_buf, targets, scale, weights);
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
impl Expansion<'_> {
    /// Inference over batch buffers. A prefix of wide layers (see [`rows_layers`])
    /// goes from the input rows to rows of activations, vectorised along the
    /// outputs; the layers after it compute feature-major batches (`z` and `a`),
    /// vectorised along the samples.
    fn infer(&self) -> TokenStream {
        let name = &self.name;
        let (input, output) = (self.input(), self.output());
        let layers = &self.layers;
        let scalar_bytes = match self.net.scalar.kind {
            ScalarKind::F32 => 4,
            ScalarKind::F64 => 8,
        };
        let by_rows = rows_layers(&self.widths, scalar_bytes);
        let names: Vec<Ident> = (1..=layers.len())
            .map(|i| format_ident!("l{}", i))
            .collect();
        let steps = layers.iter().enumerate().map(|(i, l)| {
            let (p, act, buf) = (l.params(quote!(net)), &l.act, &l.buf);
            let (x, a) = (format_ident!("x{}", i), format_ident!("x{}", i + 1));
            let last = i + 1 == layers.len();
            if i < by_rows {
                let to = if last {
                    quote!(outputs)
                } else {
                    quote!(#buf.rows(inputs.len()))
                };
                return quote! {
                    let #a = #to;
                    ::mlp::core::__private::Activation::dense_rows(&#act, #p, #x, &mut *#a);
                    let #a: &[_] = #a;
                };
            }
            let from = if i == by_rows {
                quote!(&::mlp::core::__private::batch::Rows(#x))
            } else {
                quote!(#x)
            };
            let next = if last {
                quote!(#buf.a.store(outputs);)
            } else {
                quote!(let #a = &#buf.a;)
            };
            quote! {
                {
                    let ::mlp::core::__private::batch::LayerBuffers { z, a, .. } = &mut *#buf;
                    ::mlp::core::__private::Activation::dense_forward_batch(&#act, #p, #from, z, a);
                }
                #next
            }
        });
        quote! {
            #[allow(unused_variables)]
            fn infer(
                net: &#name,
                buffers: &mut Self::Buffers,
                inputs: &[#input],
                outputs: &mut [#output],
            ) {
                ::core::assert_eq!(inputs.len(), outputs.len(), "output rows");
                let (#(#names,)*) = buffers;
                let x0: &[#input] = inputs;
                #(#steps)*
            }
        }
    }
}

/// How many layers from the first infer on rows: layers of whole vectors of up
/// to 16 lanes (`LANE_PAD`), at least two, whose sums a block keeps in registers
/// along the outputs and stores as whole vectors, each sample's activations in
/// one row for the next layer to broadcast from. Each block of samples reads the
/// layer's whole weights, so a layer of more than [`ROWS_WEIGHTS`] bytes, which
/// may not stay in a core's caches, ends the run.
fn rows_layers(widths: &[usize], scalar_bytes: usize) -> usize {
    widths
        .windows(2)
        .take_while(|w| {
            let (inputs, outputs) = (w[0], w[1]);
            outputs % 16 == 0 && outputs >= 32 && inputs * outputs * scalar_bytes <= ROWS_WEIGHTS
        })
        .count()
}

/// The most bytes of weights a layer that infers on rows may have.
const ROWS_WEIGHTS: usize = 1 << 20;

fn input_of(layers: &[Layer], i: usize) -> TokenStream {
    let prev = &layers[i].prev;
    match i {
        0 => quote!(a0),
        _ if layers[i - 1].dropout.is_some() => quote!(#prev.output()),
        _ => quote!(&#prev.a),
    }
}

#[cfg(test)]
mod tests {
    use super::rows_layers;

    #[test]
    fn inference_runs_on_rows_from_the_input_while_layers_are_wide_and_fit_the_caches() {
        // N1 to N5 of the benchmarks, in f32.
        assert_eq!(rows_layers(&[4, 3, 2, 1], 4), 0);
        assert_eq!(rows_layers(&[2, 8, 1], 4), 0);
        assert_eq!(rows_layers(&[64, 32, 10], 4), 1);
        assert_eq!(rows_layers(&[784, 128, 64, 10], 4), 2);
        assert_eq!(rows_layers(&[256, 256, 256, 10], 4), 2);
        // Not a whole number of 16 lanes, or one vector only: none after it either.
        assert_eq!(rows_layers(&[8, 40, 64, 1], 4), 0);
        assert_eq!(rows_layers(&[8, 16, 64, 1], 4), 0);
        assert_eq!(rows_layers(&[8, 64, 48, 32], 8), 3);
        // 1 MiB of weights at most: 512 x 512 f32 is one, in f64 it is two.
        assert_eq!(rows_layers(&[4, 512, 512, 512], 4), 3);
        assert_eq!(rows_layers(&[4, 512, 512, 512], 8), 1);
        assert_eq!(rows_layers(&[4096, 512, 32], 4), 0);
    }
}
