// Code generic over the scalar needs `T: Real`; rustc's hint names the trait by a
// path a user can write (`Real` is also in `mlp::prelude`).
use mlp::core::Dense;

fn blank<T>() -> Dense<T, 2, 1> {
    Dense::zeros()
}

fn main() {
    let _ = blank::<f32>();
}
