//! A network as an ONNX model: one `Gemm` and one activation node a layer.

use super::proto::{
    ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_STRING, AttributeProto, DOUBLE, Dimension,
    DimensionValue, FLOAT, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TensorTypeProto, TypeProto,
    ValueInfoProto,
};
use crate::compiled::tensor_ids;
use crate::error::Error;
use crate::io::ARCHITECTURE_KEY;
use crate::io::architecture::Architecture;
use crate::io::build::{dims, le_bytes, refuse_non_finite, row_major};
use crate::network::Network;
use crate::real::{Dtype, Real};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// The opset a model is written at, and the IR version that goes with it: 13
/// (ONNX 1.8, which every runtime of the last years reads) unless a layer has
/// `gelu`, whose operator came with opset 20.
fn opset(architecture: &Architecture) -> (i64, i64) {
    let gelu = (0..architecture.layer_count()).any(|l| {
        architecture
            .activation(l)
            .is_some_and(|(name, _)| name == "gelu")
    });
    match gelu {
        true => (20, 9),
        false => (13, 7),
    }
}

/// The ONNX model of `net`.
pub(super) fn model<N: Network>(net: &N) -> Result<ModelProto, Error> {
    let architecture = Architecture::parse(N::ARCHITECTURE).map_err(|reason| Error::OnnxGraph {
        message: format!(
            "of `{}` cannot be written: its architecture cannot be read ({reason})",
            N::ARCHITECTURE
        ),
    })?;
    let elem_type = match <N::Scalar as Real>::DTYPE {
        Dtype::F32 => FLOAT,
        Dtype::F64 => DOUBLE,
    };
    let mut initializer = Vec::new();
    for id in tensor_ids::<N>() {
        let values = row_major(net, id);
        let name = id.to_string();
        refuse_non_finite(&name, values.iter().copied())?;
        initializer.push(TensorProto {
            dims: dims(id.shape(N::WIDTHS))
                .iter()
                .map(|&d| d as i64)
                .collect(),
            data_type: elem_type,
            name,
            raw_data: values.into_iter().flat_map(le_bytes).collect(),
            ..TensorProto::default()
        });
    }
    let mut node = Vec::new();
    let mut value = String::from("input");
    for layer in 0..N::LAYERS {
        let (activation, param) = architecture.activation(layer).unwrap_or(("linear", None));
        let last = layer + 1 == N::LAYERS;
        let output = |step: &str, final_step: bool| match last && final_step {
            true => String::from("output"),
            false => format!("layers.{layer}.{step}"),
        };
        let linear = activation == "linear";
        let gemm_output = output("gemm", linear);
        node.push(NodeProto {
            input: vec![
                core::mem::replace(&mut value, gemm_output.clone()),
                format!("layers.{layer}.weight"),
                format!("layers.{layer}.bias"),
            ],
            output: vec![gemm_output],
            name: format!("layers.{layer}.Gemm"),
            op_type: "Gemm".into(),
            attribute: vec![int("transB", 1)],
            ..NodeProto::default()
        });
        if linear {
            continue;
        }
        let (op_type, attribute) = match activation {
            "sigmoid" => ("Sigmoid", vec![]),
            "tanh" => ("Tanh", vec![]),
            "relu" => ("Relu", vec![]),
            "softplus" => ("Softplus", vec![]),
            "leaky_relu" => ("LeakyRelu", vec![float("alpha", param)]),
            "elu" => ("Elu", vec![float("alpha", param)]),
            "gelu" => ("Gelu", vec![string("approximate", "tanh")]),
            "softmax" => ("Softmax", vec![int("axis", -1)]),
            other => {
                return Err(Error::OnnxGraph {
                    message: format!(
                        "of `{}` cannot be written: ONNX has no operator for `{other}`",
                        N::ARCHITECTURE
                    ),
                });
            }
        };
        let activation_output = output(activation, true);
        node.push(NodeProto {
            input: vec![core::mem::replace(&mut value, activation_output.clone())],
            output: vec![activation_output],
            name: format!("layers.{layer}.{op_type}"),
            op_type: op_type.into(),
            attribute,
            ..NodeProto::default()
        });
    }
    let tensor_value = |name: &str, width: usize| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type,
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            value: Some(DimensionValue::DimParam("batch".into())),
                        },
                        Dimension {
                            value: Some(DimensionValue::DimValue(width as i64)),
                        },
                    ],
                }),
            }),
        }),
    };
    let (opset, ir_version) = opset(&architecture);
    Ok(ModelProto {
        ir_version,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: opset,
        }],
        producer_name: "mlp".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: String::new(),
        graph: Some(GraphProto {
            node,
            name: "mlp".into(),
            initializer,
            input: vec![tensor_value("input", N::INPUTS)],
            output: vec![tensor_value("output", N::OUTPUTS)],
        }),
        metadata_props: vec![StringStringEntryProto {
            key: ARCHITECTURE_KEY.into(),
            value: N::ARCHITECTURE.into(),
        }],
    })
}

fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: ATTRIBUTE_INT,
        i,
        ..AttributeProto::default()
    }
}

/// A float attribute: ONNX holds it in f32.
fn float(name: &str, value: Option<f64>) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: ATTRIBUTE_FLOAT,
        f: value.unwrap_or_default() as f32,
        ..AttributeProto::default()
    }
}

fn string(name: &str, s: &str) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        r#type: ATTRIBUTE_STRING,
        s: s.as_bytes().to_vec(),
        ..AttributeProto::default()
    }
}
