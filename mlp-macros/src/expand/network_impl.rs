//! The `Network` implementation: the user's trait, with construction and the
//! batch-1 forward pass.

use super::{Expansion, architecture};
use crate::keyword::loss_name;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

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
    pub(super) fn forward_vector(&self, net: TokenStream) -> Vec<TokenStream> {
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
                    let #a = ::mlp::core::__private::Activation::forward(&#act, &#z);
                }
            })
            .collect()
    }
}
