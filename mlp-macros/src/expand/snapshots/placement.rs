#[doc = r" Predicts placement (yes/no) from four scores."]
#[doc = ""]
#[doc = " Architecture: `4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce`."]
#[derive(:: core :: fmt :: Debug, :: core :: cmp :: PartialEq)]
pub struct Placement {
    #[doc = r" The dense layers, input side first; saved as `layers.{i}.weight` and"]
    #[doc = r" `layers.{i}.bias`."]
    #[doc = r""]
    #[doc = " - `layers.0`: 4 => 3 sigmoid"]
    #[doc = " - `layers.1`: 3 => 2 sigmoid"]
    #[doc = " - `layers.2`: 2 => 1 sigmoid"]
    pub layers: (
        ::mlp::core::Dense<f32, 4, 3>,
        ::mlp::core::Dense<f32, 3, 2>,
        ::mlp::core::Dense<f32, 2, 1>,
    ),
}
const _: () = {
    impl Placement {
        #[doc = r" Width of the input (also `Network::INPUTS`, here without the trait)."]
        pub const INPUTS: usize = <Self as ::mlp::core::Network>::INPUTS;
        #[doc = r" Width of the output."]
        pub const OUTPUTS: usize = <Self as ::mlp::core::Network>::OUTPUTS;
        #[doc = r" Number of trainable parameters (weights and biases)."]
        pub const PARAMS: usize = <Self as ::mlp::core::Network>::PARAMS;
        #[doc = r" A network initialised from the fixed seed 0 (see `Network::seeded`)."]
        pub fn new() -> Self {
            <Self as ::mlp::core::Network>::seeded(0)
        }
    }
    impl ::core::default::Default for Placement {
        fn default() -> Self {
            Self::new()
        }
    }
    impl ::core::clone::Clone for Placement {
        fn clone(&self) -> Self {
            Self {
                layers: (self.layers.0, self.layers.1, self.layers.2),
            }
        }
        fn clone_from(&mut self, source: &Self) {
            ::mlp::core::Dense::copy_from(&mut self.layers.0, &source.layers.0);
            ::mlp::core::Dense::copy_from(&mut self.layers.1, &source.layers.1);
            ::mlp::core::Dense::copy_from(&mut self.layers.2, &source.layers.2);
        }
    }
    ::mlp::core::__serde!(Placement);
    impl ::mlp::core::Network for Placement {
        type Scalar = f32;
        type Input = [f32; 4];
        type Output = [f32; 1];
        type Target = [f32; 1];
        type Weights = (
            ([[f32; 4]; 3], [f32; 3]),
            ([[f32; 3]; 2], [f32; 2]),
            ([[f32; 2]; 1], [f32; 1]),
        );
        type Compiled = __Passes;
        const INPUTS: usize = 4;
        const OUTPUTS: usize = 1;
        const LAYERS: usize = 3;
        const PARAMS: usize = 26;
        const WIDTHS: &'static [usize] = &[4, 3, 2, 1];
        const LOSS: &'static str = "bce";
        const ARCHITECTURE: &'static str = "4 => 3 sigmoid => 2 sigmoid => 1 sigmoid; loss = bce";
        fn zeros() -> Self {
            Self {
                layers: (
                    ::mlp::core::Dense::zeros(),
                    ::mlp::core::Dense::zeros(),
                    ::mlp::core::Dense::zeros(),
                ),
            }
        }
        fn from_weights(weights: Self::Weights) -> Self {
            let mut net = <Self as ::mlp::core::Network>::zeros();
            *&mut net.layers.0 = ::mlp::core::Dense::from_arrays(&weights.0.0, &weights.0.1);
            *&mut net.layers.1 = ::mlp::core::Dense::from_arrays(&weights.1.0, &weights.1.1);
            *&mut net.layers.2 = ::mlp::core::Dense::from_arrays(&weights.2.0, &weights.2.1);
            net
        }
        #[inline]
        fn predict(&self, x: &[f32; 4]) -> [f32; 1] {
            let a0 = ::mlp::core::nalgebra::SVector::from(*x);
            let (_, a1) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &self.layers.0,
                &a0,
            );
            let (_, a2) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &self.layers.1,
                &a1,
            );
            let (_, a3) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &self.layers.2,
                &a2,
            );
            a3.into()
        }
    }
    #[doc = r" The passes of the network above."]
    pub struct __Passes;
    impl ::mlp::core::__private::Compiled<Placement> for __Passes {
        fn initialise(net: &mut Placement, seed: u64) {
            let mut rng = ::mlp::core::__private::Uniform::new(seed);
            (&mut net.layers.0).initialise(
                <::mlp::core::__private::Sigmoid as ::mlp::core::__private::Activation>::INIT,
                &mut rng,
            );
            (&mut net.layers.1).initialise(
                <::mlp::core::__private::Sigmoid as ::mlp::core::__private::Activation>::INIT,
                &mut rng,
            );
            (&mut net.layers.2).initialise(
                <::mlp::core::__private::Sigmoid as ::mlp::core::__private::Activation>::INIT,
                &mut rng,
            );
        }
        fn tensor(net: &Placement, id: ::mlp::core::TensorId) -> &[f32] {
            match id.index() {
                0 => (&net.layers.0).weight.as_slice(),
                1 => (&net.layers.0).bias.as_slice(),
                2 => (&net.layers.1).weight.as_slice(),
                3 => (&net.layers.1).bias.as_slice(),
                4 => (&net.layers.2).weight.as_slice(),
                5 => (&net.layers.2).bias.as_slice(),
                index => ::core::panic!(
                    "tensor index {} out of range: the network has {} tensors",
                    index,
                    6usize
                ),
            }
        }
        fn tensor_mut(net: &mut Placement, id: ::mlp::core::TensorId) -> &mut [f32] {
            match id.index() {
                0 => (&mut net.layers.0).weight.as_mut_slice(),
                1 => (&mut net.layers.0).bias.as_mut_slice(),
                2 => (&mut net.layers.1).weight.as_mut_slice(),
                3 => (&mut net.layers.1).bias.as_mut_slice(),
                4 => (&mut net.layers.2).weight.as_mut_slice(),
                5 => (&mut net.layers.2).bias.as_mut_slice(),
                index => ::core::panic!(
                    "tensor index {} out of range: the network has {} tensors",
                    index,
                    6usize
                ),
            }
        }
        fn check_targets(targets: &[[f32; 1]]) -> ::core::result::Result<(), ::mlp::core::Error> {
            ::mlp::core::__private::loss::check_targets::<::mlp::core::__private::Bce, f32, 1>(
                &::mlp::core::__private::Bce,
                targets,
            )
        }
        fn accuracy(output: &[f32; 1], target: &[f32; 1]) -> ::core::option::Option<f64> {
            ::mlp::core::__private::loss::sample_accuracy::<::mlp::core::__private::Bce, f32, 1>(
                &::mlp::core::__private::Bce,
                output,
                target,
            )
        }
        fn regression_target(target: &[f32; 1]) -> ::core::option::Option<&[f32]> {
            ::mlp::core::__private::loss::regression_values::<::mlp::core::__private::Bce, f32, 1>(
                target,
            )
        }
        fn sample_loss(net: &Placement, x: &[f32; 4], y: &[f32; 1]) -> f32 {
            let a0 = ::mlp::core::nalgebra::SVector::from(*x);
            let (_, a1) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.0,
                &a0,
            );
            let (_, a2) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.1,
                &a1,
            );
            let (z3, a3) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.2,
                &a2,
            );
            ::mlp::core::__private::Loss::value(&::mlp::core::__private::Bce, &z3, &a3, y)
        }
        #[allow(unused_mut, unused_variables)]
        fn add_sample_gradient(
            net: &Placement,
            x: &[f32; 4],
            y: &[f32; 1],
            scale: f32,
            grads: &mut Placement,
            mut dropout: ::core::option::Option<&mut ::mlp::core::__private::Uniform>,
        ) -> f32 {
            let a0 = ::mlp::core::nalgebra::SVector::from(*x);
            let (z1, a1) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.0,
                &a0,
            );
            let (z2, a2) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.1,
                &a1,
            );
            let (z3, a3) = ::mlp::core::__private::Activation::dense_forward(
                &::mlp::core::__private::Sigmoid,
                &net.layers.2,
                &a2,
            );
            let loss =
                ::mlp::core::__private::Loss::value(&::mlp::core::__private::Bce, &z3, &a3, y);
            let d3 = <::mlp::core::__private::Bce as ::mlp::core::__private::PairsWith<
                ::mlp::core::__private::Sigmoid,
                1,
            >>::delta(
                &::mlp::core::__private::Bce,
                &::mlp::core::__private::Sigmoid,
                &z3,
                &a3,
                y,
            ) * scale;
            ::mlp::core::__private::sample::add_dense_gradient(&mut grads.layers.2, &a2, &d3);
            let d2 = ::mlp::core::__private::sample::input_gradient(&net.layers.2, &d3);
            let d2 = ::mlp::core::__private::Activation::backward(
                &::mlp::core::__private::Sigmoid,
                &z2,
                &a2,
                &d2,
            );
            ::mlp::core::__private::sample::add_dense_gradient(&mut grads.layers.1, &a1, &d2);
            let d1 = ::mlp::core::__private::sample::input_gradient(&net.layers.1, &d2);
            let d1 = ::mlp::core::__private::Activation::backward(
                &::mlp::core::__private::Sigmoid,
                &z1,
                &a1,
                &d1,
            );
            ::mlp::core::__private::sample::add_dense_gradient(&mut grads.layers.0, &a0, &d1);
            loss
        }
        ::mlp::core::__with_alloc! {
            type Buffers = (
                ::mlp::core::__private::batch::LayerBuffers<f32, 3>,
                ::mlp::core::__private::batch::LayerBuffers<f32, 2>,
                ::mlp::core::__private::batch::LayerBuffers<f32, 1>,
            );
            fn buffers(capacity: usize) -> Self::Buffers {
                (
                    ::mlp::core::__private::batch::LayerBuffers::new(capacity),
                    ::mlp::core::__private::batch::LayerBuffers::new(capacity),
                    ::mlp::core::__private::batch::LayerBuffers::new(capacity),
                )
            }
            #[allow(unused_mut, unused_variables)]
            fn forward(
                net: &Placement,
                buffers: &mut Self::Buffers,
                inputs: &[[f32; 4]],
                mut dropout: ::core::option::Option<&mut ::mlp::core::__private::Uniform>,
            ) {
                let (l1, l2, l3) = buffers;
                let a0 = &::mlp::core::__private::batch::Rows::<f32, 4>(inputs);
                let ::mlp::core::__private::batch::LayerBuffers { z: z1, a: a1, .. } = &mut *l1;
                ::mlp::core::__private::Activation::dense_forward_batch(
                    &::mlp::core::__private::Sigmoid,
                    &net.layers.0,
                    a0,
                    z1,
                    a1,
                );
                let ::mlp::core::__private::batch::LayerBuffers { z: z2, a: a2, .. } = &mut *l2;
                ::mlp::core::__private::Activation::dense_forward_batch(
                    &::mlp::core::__private::Sigmoid,
                    &net.layers.1,
                    a1,
                    z2,
                    a2,
                );
                let ::mlp::core::__private::batch::LayerBuffers { z: z3, a: a3, .. } = &mut *l3;
                ::mlp::core::__private::Activation::dense_forward_batch(
                    &::mlp::core::__private::Sigmoid,
                    &net.layers.2,
                    a2,
                    z3,
                    a3,
                );
            }
            #[allow(unused_variables)]
            fn infer(
                net: &Placement,
                buffers: &mut Self::Buffers,
                inputs: &[[f32; 4]],
                outputs: &mut [[f32; 1]],
            ) {
                ::core::assert_eq!(inputs.len(), outputs.len(), "output rows");
                let (l1, l2, l3) = buffers;
                let x0: &[[f32; 4]] = inputs;
                {
                    let ::mlp::core::__private::batch::LayerBuffers { z, a, .. } = &mut *l1;
                    ::mlp::core::__private::Activation::dense_forward_batch(
                        &::mlp::core::__private::Sigmoid,
                        &net.layers.0,
                        &::mlp::core::__private::batch::Rows(x0),
                        z,
                        a,
                    );
                }
                let x1 = &l1.a;
                {
                    let ::mlp::core::__private::batch::LayerBuffers { z, a, .. } = &mut *l2;
                    ::mlp::core::__private::Activation::dense_forward_batch(
                        &::mlp::core::__private::Sigmoid,
                        &net.layers.1,
                        x1,
                        z,
                        a,
                    );
                }
                let x2 = &l2.a;
                {
                    let ::mlp::core::__private::batch::LayerBuffers { z, a, .. } = &mut *l3;
                    ::mlp::core::__private::Activation::dense_forward_batch(
                        &::mlp::core::__private::Sigmoid,
                        &net.layers.2,
                        x2,
                        z,
                        a,
                    );
                }
                l3.a.store(outputs);
            }
            fn outputs(buffers: &Self::Buffers, outputs: &mut [[f32; 1]]) {
                buffers.2.a.store(outputs);
            }
            fn loss_sum(buffers: &mut Self::Buffers, targets: &[[f32; 1]]) -> f32 {
                ::mlp::core::__private::loss::loss_sum(
                    &::mlp::core::__private::Bce,
                    &::mlp::core::__private::Sigmoid,
                    &mut buffers.2,
                    targets,
                )
            }
            fn backward(
                net: &Placement,
                buffers: &mut Self::Buffers,
                inputs: &[[f32; 4]],
                targets: &[[f32; 1]],
                scale: f32,
                weights: ::core::option::Option<&[f32]>,
                grads: &mut Placement,
            ) -> f32 {
                let (l1, l2, l3) = buffers;
                let a0 = &::mlp::core::__private::batch::Rows::<f32, 4>(inputs);
                let loss = ::mlp::core::__private::loss::output_delta(
                    &::mlp::core::__private::Bce,
                    &::mlp::core::__private::Sigmoid,
                    l3,
                    targets,
                    scale,
                    weights,
                );
                ::mlp::core::__private::kernels::dense_gradient(&mut grads.layers.2, &l2.a, l3);
                let ::mlp::core::__private::batch::LayerBuffers {
                    z: z2,
                    a: a2,
                    delta: d2,
                    ..
                } = &mut *l2;
                ::mlp::core::__private::kernels::dense_input_gradient(&net.layers.2, &l3.delta, d2);
                ::mlp::core::__private::Activation::backward_batch(
                    &::mlp::core::__private::Sigmoid,
                    z2,
                    a2,
                    d2,
                );
                ::mlp::core::__private::kernels::dense_gradient(&mut grads.layers.1, &l1.a, l2);
                let ::mlp::core::__private::batch::LayerBuffers {
                    z: z1,
                    a: a1,
                    delta: d1,
                    ..
                } = &mut *l1;
                ::mlp::core::__private::kernels::dense_input_gradient(&net.layers.1, &l2.delta, d1);
                ::mlp::core::__private::Activation::backward_batch(
                    &::mlp::core::__private::Sigmoid,
                    z1,
                    a1,
                    d1,
                );
                ::mlp::core::__private::kernels::dense_gradient(&mut grads.layers.0, a0, l1);
                loss
            }
        }
    }
};
