//! `COMPILED`: the network with the weights of a `weights = "..."` file, read and
//! checked while compiling.

use super::architecture;
use crate::ast::{Network, ScalarKind};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// For `weights = "path"`: `const COMPILED: Self` built from the file's values, and
/// an `include_bytes!` of the file so that the crate rebuilds when it changes.
pub(super) fn compiled_weights(
    net: &Network,
    base: Option<&std::path::Path>,
) -> syn::Result<TokenStream> {
    let (Some(file), Some(name)) = (&net.weights, &net.name) else {
        return Ok(TokenStream::new());
    };
    let lit = &file.path;
    let widths: Vec<usize> = std::iter::once(net.input.value)
        .chain(net.layers.iter().map(|l| l.width.value))
        .collect();
    let tensors = crate::weights::read(
        lit,
        file.pytorch,
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
