//! What the enums of `network!` (`network! { enum Model { Small(...), Large(...) } }`)
//! need from the runtime besides the networks themselves: the compile-time check
//! that a variant of an existing network type takes and gives the rows the enum
//! does. (Loading picks a variant with [`crate::io::VariantFile`].)

use crate::network::Network;

/// Implemented by every network for its own input, output and target types, so
/// that `N: SameRows<I, O, T>` holds exactly when `N` takes `I` and `T` and gives
/// `O`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not take and give the rows of the enum's first variant",
    label = "this variant's input, output or target type differs from the first variant's",
    note = "the first variant takes `{I}` and targets `{T}` and gives `{O}`; every variant of an enum network takes, gives and targets the same"
)]
pub trait SameRows<I, O, T> {}

impl<N: Network> SameRows<N::Input, N::Output, N::Target> for N {}

/// Compiles only when `N` takes, gives and targets what `First` does.
pub fn same_rows<
    First: Network,
    N: Network + SameRows<First::Input, First::Output, First::Target>,
>() {
}
