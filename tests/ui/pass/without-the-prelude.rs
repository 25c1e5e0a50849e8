//! DESIGN.md's contract: a network's `INPUTS`, `OUTPUTS` and `PARAMS` and `new()`
//! are there by name with nothing but the macro imported; the operations are the
//! `Network` trait's and need it (or the prelude) in scope.

mlp::network! { struct Placement { 4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce } }

fn main() {
    assert_eq!((Placement::INPUTS, Placement::OUTPUTS, Placement::PARAMS), (4, 1, 26));
    let net = Placement::new();
    use mlp::Network;
    let p = net.predict(&[0.5, 0.5, 0.5, 0.5]);
    assert!(p[0] > 0.0 && p[0] < 1.0);
}
