//! Code generation for the enum form: the struct of every network declared in a
//! variant (as the struct form generates it, named `ModelSmall` for `Model::Small`),
//! the enum over the variants' networks, the enum of their gradients, and the
//! enum's methods, each a `match` that calls the variant's own.
//!
//! The enum cannot implement `mlp::core::Network`, whose constants (widths,
//! parameter count, architecture) are one network's; its methods are inherent and
//! mirror the trait's and those of `Train` and `Save`. The rows are the first
//! variant's types; validation (declared variants) or a bound the compiler checks
//! (`same_rows`, variants of existing types) makes them every variant's.

use super::attributes::struct_attributes;
use super::{Expansion, expand, weights::compiled_weights};
use crate::ast::{NetworkEnum, Variant, VariantNetwork};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// The variant structs, the enums and their impls, or the compile errors of
/// validation and of compiled-in weights.
pub fn network_enum(net: &NetworkEnum, base: Option<&std::path::Path>) -> TokenStream {
    if let Err(e) = crate::validate::validate_enum(net) {
        return e.into_compile_error();
    }
    let mut structs = TokenStream::new();
    let mut errors = Vec::new();
    for variant in &net.variants {
        if let VariantNetwork::Declared(network) = &variant.network {
            match compiled_weights(network, base) {
                Ok(compiled) => structs.extend([expand(network), compiled]),
                Err(e) => errors.push(e.into_compile_error()),
            }
        }
    }
    if !errors.is_empty() {
        return quote!(#(#errors)*);
    }
    let mut tokens = structs;
    tokens.extend(EnumExpansion::new(net).items());
    tokens
}

/// The types of one row, the first variant's.
struct Rows {
    scalar: TokenStream,
    input: TokenStream,
    output: TokenStream,
    target: TokenStream,
}

struct EnumExpansion<'a> {
    net: &'a NetworkEnum,
    /// The network type of each variant.
    types: Vec<TokenStream>,
    rows: Rows,
    gradients: syn::Ident,
}

impl<'a> EnumExpansion<'a> {
    fn new(net: &'a NetworkEnum) -> Self {
        let types: Vec<TokenStream> = net.variants.iter().map(network_type).collect();
        let rows = match &net.variants[0].network {
            VariantNetwork::Declared(network) => {
                let x = Expansion::new(network);
                let t = &x.t;
                Rows {
                    scalar: quote!(#t),
                    input: x.input(),
                    output: x.output(),
                    target: x.target.clone(),
                }
            }
            VariantNetwork::Existing(_) => {
                let first = &types[0];
                Rows {
                    scalar: quote!(<#first as ::mlp::core::Network>::Scalar),
                    input: quote!(<#first as ::mlp::core::Network>::Input),
                    output: quote!(<#first as ::mlp::core::Network>::Output),
                    target: quote!(<#first as ::mlp::core::Network>::Target),
                }
            }
        };
        let gradients = format_ident!("{}Gradients", net.name, span = net.name.span());
        Self {
            net,
            types,
            rows,
            gradients,
        }
    }

    fn items(&self) -> TokenStream {
        let (name, vis, gradients) = (&self.net.name, &self.net.vis, &self.gradients);
        // As on a struct: derives of the traits the expansion implements are dropped.
        let attrs = struct_attributes(&self.net.attrs);
        let variants: Vec<_> = self.net.variants.iter().map(|v| &v.name).collect();
        let variant_attrs = self.net.variants.iter().map(|v| &v.attrs);
        let types = &self.types;
        let (first_variant, first_type) = (variants[0], &types[0]);
        let gradients_doc = format!(
            " The gradients of a [`{name}`]: those of the variant they were computed \
             for, which `{name}::step` takes."
        );
        let gradient_docs = variants
            .iter()
            .map(|v| format!(" The gradients of a [`{name}::{v}`]."));
        let checks = self.row_checks();
        let methods = self.methods();
        quote! {
            #(#attrs)*
            #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
            #vis enum #name {
                #( #(#variant_attrs)* #variants(#types), )*
            }

            #[doc = #gradients_doc]
            #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
            #vis enum #gradients {
                #( #[doc = #gradient_docs] #variants(::mlp::core::Gradients<#types>), )*
            }

            const _: () = {
                #checks
                #(
                    impl ::core::convert::From<#types> for #name {
                        fn from(network: #types) -> Self {
                            Self::#variants(network)
                        }
                    }

                    impl ::core::convert::From<::mlp::core::Gradients<#types>> for #gradients {
                        fn from(grads: ::mlp::core::Gradients<#types>) -> Self {
                            Self::#variants(grads)
                        }
                    }
                )*
                /// The first variant, initialised from seed 0.
                impl ::core::default::Default for #name {
                    fn default() -> Self {
                        Self::#first_variant(<#first_type as ::mlp::core::Network>::seeded(0))
                    }
                }

                #methods
            };
        }
    }

    /// For a variant of an existing type after the first: its rows are the first's.
    /// Declared variants are checked by validation, unless the first is existing.
    fn row_checks(&self) -> TokenStream {
        let first = &self.types[0];
        let first_declared = matches!(self.net.variants[0].network, VariantNetwork::Declared(_));
        let checks = self
            .net
            .variants
            .iter()
            .zip(&self.types)
            .skip(1)
            .filter_map(|(v, ty)| {
                let span = match &v.network {
                    VariantNetwork::Existing(ty) => ty.span(),
                    VariantNetwork::Declared(_) if first_declared => return None,
                    VariantNetwork::Declared(_) => v.name.span(),
                };
                Some(quote_spanned! {span=>
                    const _: fn() = ::mlp::core::__private::variants::same_rows::<#first, #ty>;
                })
            });
        quote!(#(#checks)*)
    }

    /// The inherent methods, each a `match` over the variants.
    fn methods(&self) -> TokenStream {
        let (name, gradients) = (&self.net.name, &self.gradients);
        let Rows {
            scalar,
            input,
            output,
            target,
        } = &self.rows;
        let variants: Vec<_> = self.net.variants.iter().map(|v| &v.name).collect();
        let types = &self.types;
        let first = &types[0];
        let name_str = name.to_string();
        let names: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
        let paths: Vec<String> = names.iter().map(|v| format!("{name}::{v}")).collect();
        let indices: Vec<usize> = (0..variants.len()).collect();
        let last = variants.len() - 1;
        let builds = variants.iter().zip(types).enumerate().map(|(i, (v, ty))| {
            let index = if i == last { quote!(_) } else { quote!(#i) };
            quote!(#index => file.build::<#ty>().map(Self::#v),)
        });
        let net = quote!(::mlp::core::Network);
        let visitors = quote!(::mlp::core::__private::variants);
        // A variant of an existing type whose rows differ from the first's fails
        // here, at its type.
        let calls = self.net.variants.iter().map(|v| match &v.network {
            VariantNetwork::Existing(ty) => quote_spanned!(ty.span()=> visitor.call(network)),
            VariantNetwork::Declared(_) => quote!(visitor.call(network)),
        });
        let calls: Vec<TokenStream> = calls.collect();
        quote! {
            impl #name {
                /// Width of the input, every variant's.
                pub const INPUTS: usize = <#first as #net>::INPUTS;
                /// Width of the output, every variant's.
                pub const OUTPUTS: usize = <#first as #net>::OUTPUTS;
                /// Each variant's name and architecture, in the order declared. A load
                /// builds the variant whose architecture the file stores.
                pub const VARIANTS: &'static [(&'static str, &'static str)] =
                    &[#( (#names, <#types as #net>::ARCHITECTURE), )*];

                /// The name of the variant, e.g. `"Small"`.
                pub fn variant(&self) -> &'static str {
                    Self::VARIANTS[self.variant_index()].0
                }

                /// The variant's architecture, as the DSL writes it.
                pub fn architecture(&self) -> &'static str {
                    Self::VARIANTS[self.variant_index()].1
                }

                fn variant_index(&self) -> usize {
                    match self {
                        #( Self::#variants(_) => #indices, )*
                    }
                }

                /// The output for one sample: the variant's `Network::predict`, on the
                /// stack, without validation.
                #[inline]
                pub fn predict(&self, x: &#input) -> #output {
                    self.visit(#visitors::Predict(x))
                }

                /// Runs a method on the variant's network.
                #[inline(always)]
                fn visit<V: #visitors::Visit<#input, #output, #target, #scalar, #gradients>>(
                    &self,
                    visitor: V,
                ) -> V::Out {
                    match self {
                        #( Self::#variants(network) => #calls, )*
                    }
                }



                /// One step of plain gradient descent with gradients this variant
                /// computed (`Network::step`).
                ///
                /// # Errors
                ///
                /// As `Network::step`, and `Error::OtherVariant` for gradients of
                /// another variant; nothing changes then.
                pub fn step(
                    &mut self,
                    grads: &#gradients,
                    learning_rate: #scalar,
                ) -> ::core::result::Result<(), ::mlp::core::Error> {
                    const PATHS: &[&str] = &[#(#paths),*];
                    match (self, grads) {
                        #( (Self::#variants(network), #gradients::#variants(grads)) =>
                            #net::step(network, grads, learning_rate), )*
                        #[allow(unreachable_patterns)]
                        (network, grads) => ::core::result::Result::Err(
                            ::mlp::core::Error::OtherVariant {
                                network: PATHS[network.variant_index()],
                                gradients: PATHS[grads.variant_index()],
                            },
                        ),
                    }
                }

                ::mlp::core::__with_alloc! {
                /// Runs a method that changes the network on the variant's network.
                #[inline(always)]
                fn visit_mut<V: #visitors::VisitMut<#input, #output, #target, #scalar, #gradients>>(
                    &mut self,
                    visitor: V,
                ) -> V::Out {
                    match self {
                        #( Self::#variants(network) => #calls, )*
                    }
                }
                    /// The outputs for every row of `inputs` (`Network::predict_batch`).
                    pub fn predict_batch(&self, inputs: &[#input]) -> ::mlp::core::__private::Vec<#output> {
                        self.visit(#visitors::PredictBatch(inputs))
                    }

                    /// The mean loss over a batch (`Network::loss`).
                    ///
                    /// # Errors
                    ///
                    /// As `Network::loss`.
                    pub fn loss(
                        &self,
                        inputs: &[#input],
                        targets: &[#target],
                    ) -> ::core::result::Result<#scalar, ::mlp::core::Error> {
                        self.visit(#visitors::Loss(inputs, targets))
                    }

                    /// The gradient of the mean batch loss, of this variant's shapes
                    /// (`Network::gradients`).
                    ///
                    /// # Errors
                    ///
                    /// As `Network::gradients`.
                    pub fn gradients(
                        &self,
                        inputs: &[#input],
                        targets: &[#target],
                    ) -> ::core::result::Result<#gradients, ::mlp::core::Error> {
                        self.visit(#visitors::Gradient(inputs, targets))
                    }

                    /// Trains the variant's network (`Train::fit`).
                    ///
                    /// # Errors
                    ///
                    /// As `Train::fit`.
                    pub fn fit(
                        &mut self,
                        inputs: &[#input],
                        targets: &[#target],
                        settings: &::mlp::core::train::Fit,
                    ) -> ::core::result::Result<::mlp::core::train::History, ::mlp::core::Error> {
                        self.visit_mut(#visitors::FitRows(inputs, targets, settings))
                    }

                    /// The fraction of rows classified correctly (`mlp::metrics::accuracy`).
                    ///
                    /// # Errors
                    ///
                    /// As `mlp::metrics::accuracy`.
                    pub fn accuracy(
                        &self,
                        inputs: &[#input],
                        targets: &[#target],
                    ) -> ::core::result::Result<f64, ::mlp::core::Error> {
                        self.visit(#visitors::Accuracy(inputs, targets))
                    }

                    /// The variant's network as safetensors bytes (`io::to_bytes` with
                    /// the default options), its architecture in the metadata.
                    ///
                    /// # Errors
                    ///
                    /// As `io::to_bytes`.
                    pub fn to_bytes(&self) -> ::core::result::Result<::mlp::core::__private::Vec<u8>, ::mlp::core::Error> {
                        let options = ::mlp::core::io::SaveOptions::default();
                        match self {
                            #( Self::#variants(network) => ::mlp::core::io::to_bytes(network, &options), )*
                        }
                    }

                    /// The variant whose architecture the bytes store, built from them
                    /// with every check of `io::from_bytes`.
                    ///
                    /// # Errors
                    ///
                    /// `Error::NoMatchingVariant` for a file of none of the variants
                    /// (naming what it holds and what each variant is), and the errors of
                    /// `io::from_bytes`.
                    pub fn from_bytes(bytes: &[u8]) -> ::core::result::Result<Self, ::mlp::core::Error> {
                        Self::from_file(&::mlp::core::io::VariantFile::from_bytes(bytes)?)
                    }

                    fn from_file(
                        file: &::mlp::core::io::VariantFile,
                    ) -> ::core::result::Result<Self, ::mlp::core::Error> {
                        match file.variant(#name_str, Self::VARIANTS)? {
                            #(#builds)*
                        }
                    }
                }

                ::mlp::core::__with_std! {
                    /// Saves the variant's network at `path` (`Save::save`): atomically,
                    /// with its architecture and a test vector.
                    ///
                    /// # Errors
                    ///
                    /// As `Save::save`.
                    pub fn save(
                        &self,
                        path: impl ::core::convert::AsRef<::std::path::Path>,
                    ) -> ::core::result::Result<(), ::mlp::core::Error> {
                        match self {
                            #( Self::#variants(network) => ::mlp::core::io::Save::save(network, path), )*
                        }
                    }

                    /// Loads the variant whose architecture the file at `path` stores,
                    /// with every check of `Save::load`.
                    ///
                    /// # Errors
                    ///
                    /// As `from_bytes`, and `Error::Io` when the file cannot be read.
                    pub fn load(
                        path: impl ::core::convert::AsRef<::std::path::Path>,
                    ) -> ::core::result::Result<Self, ::mlp::core::Error> {
                        Self::from_file(&::mlp::core::io::VariantFile::load(path.as_ref())?)
                    }
                }
            }

            impl #gradients {
                fn variant_index(&self) -> usize {
                    match self {
                        #( Self::#variants(_) => #indices, )*
                    }
                }
            }
        }
    }
}

/// The network type a variant holds: its declared struct, or the type written.
fn network_type(variant: &Variant) -> TokenStream {
    match &variant.network {
        VariantNetwork::Declared(network) => {
            let name = network.name.as_ref().expect("declared variants are named");
            quote!(#name)
        }
        VariantNetwork::Existing(ty) => quote!(#ty),
    }
}
