//! Attributes on the item form: derives of the traits `network!` implements itself
//! (Clone, Debug, PartialEq, Default) are accepted and dropped, by name or by full
//! path; any other derive and attribute reaches the struct.

use mlp::prelude::*;

network! {
    /// The derives most users write first.
    #[derive(Clone, Debug, PartialEq, Default)]
    struct Plain { 2 => 3 tanh => 1 sigmoid; loss = bce }
}

network! {
    // `Copy` is kept from the same attribute: a small network's layers are `Copy`.
    #[derive(std::clone::Clone, Copy, ::core::fmt::Debug)]
    #[derive(core::cmp::PartialEq)]
    #[must_use]
    struct Small { 2 => 1 linear; loss = mse; }
}

network! {
    #[derive(Default)]
    #[allow(dead_code)]
    pub(crate) struct Unused { 1 => 1 linear; loss = mse }
}

fn main() {
    let a = Plain::seeded(1);
    assert_eq!(a.clone(), a);
    assert_eq!(Plain::default(), Plain::new());
    assert!(format!("{a:?}").starts_with("Plain"));

    let s = Small::seeded(2);
    let copied = s;
    assert_eq!(copied, s);
    assert_eq!(s.predict(&[1.0, -1.0]), copied.predict(&[1.0, -1.0]));
}
