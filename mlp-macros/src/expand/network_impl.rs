//! The `Network` implementation: the user's trait, with construction and the
//! batch-1 forward pass.

use super::{Expansion, architecture};
use crate::keyword::loss_name;
use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote};

impl Expansion<'_> {
    /// The user's trait: types, consts, construction and batch-1 prediction.
    pub(super) fn network_impl(&self) -> TokenStream {
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
        let forward = self.forward_vector(quote!(self), false);
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

    /// Batch-1 forward on the stack: `(z1, a1) = (W1 a0 + b1, act(z1))`, ...; binds
    /// the last layer's `z` when `last_z` (the loss reads it), every other `z` as `_`.
    pub(super) fn forward_vector(&self, net: TokenStream, last_z: bool) -> Vec<TokenStream> {
        let n = self.layers.len();
        self.layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (a_prev, a) = (format_ident!("a{}", i), format_ident!("a{}", i + 1));
                let z = if last_z && i + 1 == n {
                    format_ident!("z{}", i + 1).into_token_stream()
                } else {
                    quote!(_)
                };
                let (p, act) = (l.params(net.clone()), &l.act);
                quote! {
                    let (#z, #a) = ::mlp::core::__private::Activation::dense_forward(&#act, #p, &#a_prev);
                }
            })
            .collect()
    }
}
