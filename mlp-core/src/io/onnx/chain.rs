//! An ONNX graph read as a chain of dense layers: from the graph's one input,
//! node by node along the value each reads, to the first graph output. Each layer
//! is a `Gemm`, or a `MatMul` and an `Add` of its bias, then at most one
//! activation; `Identity` nodes pass their value on, and so does a `Cast` of the
//! input to float or double. Nodes off the chain that
//! only read its final value (scikit-learn's label, say) are no part of it.

use super::proto::{
    AttributeProto, DOUBLE, DimensionValue, EXTERNAL, FLOAT, GraphProto, NodeProto, TensorProto,
};
use crate::error::Error;
use crate::io::Stored;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// A tensor of the chain and the name it has in the model.
pub(super) struct Named {
    /// The initializer's name (or what stands for a bias the model has none of).
    pub(super) name: String,
    pub(super) stored: Stored,
}

/// One dense layer as the graph computes it.
pub(super) struct Layer {
    /// `(out, in)`, row-major, whatever layout the node stores it in.
    pub(super) weight: Named,
    /// `(out,)`.
    pub(super) bias: Named,
    /// The activation as the architecture string writes it (`relu`,
    /// `leaky_relu`), with the parameter the node gives, if any.
    pub(super) activation: Option<(&'static str, Option<f32>)>,
}

/// The dense layers of a graph, in order.
pub(super) struct Chain {
    pub(super) input: usize,
    pub(super) layers: Vec<Layer>,
}

/// The chain of `graph`'s dense layers. `dtype` is the network's, for the message
/// about a tensor of an element type no network has.
pub(super) fn read(graph: &GraphProto, dtype: &str) -> Result<Chain, Error> {
    let graph_error = |message: String| Error::OnnxGraph { message };
    // Initializers, and the values of `Constant` nodes and of `Identity` nodes
    // that pass on a constant (exporters write weights all three ways).
    let mut constants: BTreeMap<&str, &TensorProto> = graph
        .initializer
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut chain_nodes = Vec::new();
    for (index, node) in graph.node.iter().enumerate() {
        let output = node.output.first().map(String::as_str).unwrap_or_default();
        match node.op_type.as_str() {
            "Constant" if onnx_domain(node) => {
                if let Some(t) = attribute(node, "value").and_then(|a| a.t.as_ref()) {
                    constants.insert(output, t);
                }
            }
            "Identity"
                if node
                    .input
                    .first()
                    .is_some_and(|i| constants.contains_key(i.as_str())) =>
            {
                let t = constants[node.input[0].as_str()];
                constants.insert(output, t);
            }
            _ => chain_nodes.push(index),
        }
    }
    let inputs: Vec<_> = (graph.input.iter())
        .filter(|i| !constants.contains_key(i.name.as_str()))
        .collect();
    let [input] = inputs.as_slice() else {
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(graph_error(format!(
            "has {} inputs ({}); a chain of dense layers has one",
            names.len(),
            names.join(", ")
        )));
    };
    let declared = declared_width(input)?;
    let outputs: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    let mut readers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &index in &chain_nodes {
        for name in &graph.node[index].input {
            // A node that reads a value twice (`Add(z, z)`) is one reader.
            let list = readers.entry(name.as_str()).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
    }

    let mut value = input.name.as_str();
    let mut width = declared;
    let mut layers: Vec<Layer> = Vec::new();
    // Each step moves to a later node; a graph that loops is refused below.
    for _ in 0..=graph.node.len() {
        if outputs.contains(&value) {
            if layers.is_empty() {
                return Err(graph_error("has no dense layer (Gemm or MatMul)".into()));
            }
            let input = declared.or(layers.first().map(|l| l.weight.stored.shape[1]));
            return Ok(Chain {
                input: input.unwrap_or_default(),
                layers,
            });
        }
        let index = match readers.get(value).map(Vec::as_slice).unwrap_or_default() {
            [] => {
                return Err(graph_error(format!(
                    "never passes `{value}` on to an output"
                )));
            }
            [one] => *one,
            [first, second, ..] => {
                return Err(unsupported(
                    *second,
                    &graph.node[*second],
                    format!("also reads `{value}`, which node {first} reads: the graph branches"),
                ));
            }
        };
        let node = &graph.node[index];
        let refuse = |reason: String| unsupported(index, node, reason);
        if !onnx_domain(node) {
            return Err(refuse(format!("is of the operator set `{}`", node.domain)));
        }
        let first = layers.is_empty();
        let layer_without_activation = layers.last_mut().filter(|l| l.activation.is_none());
        match node.op_type.as_str() {
            "Gemm" | "MatMul" => {
                if node.input.first().map(String::as_str) != Some(value) {
                    return Err(refuse(format!(
                        "reads the chain's value `{value}` as its weight, not as its input"
                    )));
                }
                let layer = dense(index, node, &constants, width, dtype)?;
                width = Some(layer.weight.stored.shape[0]);
                layers.push(layer);
            }
            "Add" => {
                let Some(layer) = layer_without_activation else {
                    return Err(refuse("adds to a value that is not a dense layer's".into()));
                };
                let other = node.input.iter().find(|i| i.as_str() != value);
                let bias = match other.and_then(|o| constants.get(o.as_str())) {
                    Some(t) => tensor(t, dtype)?,
                    None => {
                        return Err(refuse(format!(
                            "adds `{}`, which is not an initializer",
                            other.map_or(value, String::as_str)
                        )));
                    }
                };
                add_bias(layer, bias, 1.0).map_err(refuse)?;
            }
            "Identity" => {}
            // scikit-learn casts the input to the float type it computes in.
            "Cast"
                if first
                    && [FLOAT, DOUBLE]
                        .map(i64::from)
                        .contains(&int_attribute(node, "to", 0)) => {}
            op => {
                let Some(activation) = activation(node).map_err(refuse)? else {
                    return Err(refuse(
                        "is not a dense layer or an activation these networks have".into(),
                    ));
                };
                let Some(layer) = layer_without_activation else {
                    let reason = match first {
                        true => format!("applies {op} before any dense layer"),
                        false => format!("applies {op} after the layer's activation"),
                    };
                    return Err(refuse(reason));
                };
                layer.activation = Some(activation);
            }
        }
        value = node.output.first().map(String::as_str).unwrap_or_default();
    }
    Err(graph_error("loops".into()))
}

/// The input's width if its type gives one, after refusing a shape other than
/// `[batch, width]`.
fn declared_width(input: &super::proto::ValueInfoProto) -> Result<Option<usize>, Error> {
    let Some(shape) = (input.r#type.as_ref())
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
    else {
        return Ok(None);
    };
    if shape.dim.len() != 2 {
        return Err(Error::OnnxGraph {
            message: format!(
                "input `{}` has {} dimensions; a chain of dense layers takes [batch, width]",
                input.name,
                shape.dim.len()
            ),
        });
    }
    Ok(match shape.dim[1].value {
        // A width past this machine's usize is no width a network has (not one
        // truncated to a smaller one).
        Some(DimensionValue::DimValue(w)) if w > 0 => {
            Some(usize::try_from(w).unwrap_or(usize::MAX))
        }
        _ => None,
    })
}

/// Whether `node` is of ONNX's own operator set.
fn onnx_domain(node: &NodeProto) -> bool {
    matches!(node.domain.as_str(), "" | "ai.onnx")
}

fn unsupported(index: usize, node: &NodeProto, reason: String) -> Error {
    Error::UnsupportedNode {
        index,
        op_type: node.op_type.clone(),
        name: node.name.clone(),
        reason,
    }
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn float_attribute(node: &NodeProto, name: &str, default: f32) -> f32 {
    attribute(node, name).map_or(default, |a| a.f)
}

fn int_attribute(node: &NodeProto, name: &str, default: i64) -> i64 {
    attribute(node, name).map_or(default, |a| a.i)
}

/// A `Gemm` (`alpha A B + beta C`, either operand transposed) or a `MatMul`
/// (`A B`) as a layer with its weight `(out, in)`: `width` is the chain's width
/// before it, if known.
fn dense(
    index: usize,
    node: &NodeProto,
    constants: &BTreeMap<&str, &TensorProto>,
    width: Option<usize>,
    dtype: &str,
) -> Result<Layer, Error> {
    let refuse = |reason: String| unsupported(index, node, reason);
    let gemm = node.op_type == "Gemm";
    if gemm && int_attribute(node, "transA", 0) != 0 {
        return Err(refuse("transposes its input (transA = 1)".into()));
    }
    let b = node.input.get(1).map(String::as_str).unwrap_or_default();
    let Some(&stored) = constants.get(b) else {
        return Err(refuse(format!(
            "multiplies by `{b}`, which is not an initializer"
        )));
    };
    let mut weight = tensor(stored, dtype)?;
    // A matrix with no empty dimension: an empty one would stand for a layer of
    // any width, with no values to say so.
    let (rows, columns) = match weight.stored.shape.as_slice() {
        &[rows, columns] if rows > 0 && columns > 0 => (rows, columns),
        shape => {
            return Err(refuse(format!(
                "multiplies by {}, of shape {shape:?}: a dense layer's weight is a matrix \
                 with a row and a column at least",
                weight.name
            )));
        }
    };
    // `(in, out)` unless a Gemm's transB says `(out, in)`.
    let transposed = !(gemm && int_attribute(node, "transB", 0) != 0);
    let (inputs, outputs) = match transposed {
        true => (rows, columns),
        false => (columns, rows),
    };
    if let Some(width) = width.filter(|&w| w != inputs) {
        let expected = match transposed {
            true => vec![width, outputs],
            false => vec![outputs, width],
        };
        return Err(Error::WrongShape {
            tensor: weight.name,
            expected,
            found: weight.stored.shape,
        });
    }
    if transposed {
        let v = &weight.stored.values;
        weight.stored.values = (0..outputs)
            .flat_map(|o| (0..inputs).map(move |i| v[i * outputs + o]))
            .collect();
        weight.stored.shape = vec![outputs, inputs];
    }
    let alpha = f64::from(float_attribute(node, "alpha", 1.0));
    if gemm && alpha != 1.0 {
        weight.stored.values.iter_mut().for_each(|w| *w *= alpha);
    }
    let mut layer = Layer {
        bias: Named {
            name: format!("the bias of node {index} ({})", node.op_type),
            stored: Stored {
                dtype: weight.stored.dtype.clone(),
                shape: vec![outputs],
                values: vec![0.0; outputs],
            },
        },
        weight,
        activation: None,
    };
    let c = node.input.get(2).map(String::as_str).unwrap_or_default();
    if gemm && !c.is_empty() {
        let Some(&stored) = constants.get(c) else {
            return Err(refuse(format!("adds `{c}`, which is not an initializer")));
        };
        let beta = f64::from(float_attribute(node, "beta", 1.0));
        add_bias(&mut layer, tensor(stored, dtype)?, beta).map_err(refuse)?;
    }
    Ok(layer)
}

/// Adds `beta` times `bias` (shape `(out,)` or `(1, out)`) to the layer's bias;
/// the first bias added gives the layer its bias's name and dtype.
fn add_bias(layer: &mut Layer, bias: Named, beta: f64) -> Result<(), String> {
    let outputs = layer.weight.stored.shape[0];
    if !matches!(bias.stored.shape.as_slice(), [n] | [1, n] if *n == outputs) {
        return Err(format!(
            "adds {} of shape {:?} to {} outputs: a bias has shape [{outputs}] or [1, {outputs}]",
            bias.name, bias.stored.shape, outputs
        ));
    }
    let first = layer.bias.stored.values.iter().all(|&b| b == 0.0);
    for (b, v) in layer.bias.stored.values.iter_mut().zip(&bias.stored.values) {
        *b += match beta == 1.0 {
            true => *v,
            false => beta * v,
        };
    }
    if first {
        layer.bias.name = bias.name;
        layer.bias.stored.dtype = bias.stored.dtype;
    }
    Ok(())
}

/// The activation `node` computes, as the architecture string names it, with the
/// node's parameter; `None` for a node that is none. Errors say why an activation
/// these networks have is not the form they compute.
fn activation(node: &NodeProto) -> Result<Option<(&'static str, Option<f32>)>, String> {
    Ok(Some(match node.op_type.as_str() {
        "Sigmoid" => ("sigmoid", None),
        "Tanh" => ("tanh", None),
        "Relu" => ("relu", None),
        "Softplus" => ("softplus", None),
        "LeakyRelu" => ("leaky_relu", Some(float_attribute(node, "alpha", 0.01))),
        "Elu" => ("elu", Some(float_attribute(node, "alpha", 1.0))),
        "Gelu" => {
            let approximate = attribute(node, "approximate").map(|a| a.s.as_slice());
            if approximate != Some(b"tanh") {
                return Err(
                    "computes the exact (erf) GELU; these networks compute its tanh form: \
                     export nn.GELU(approximate=\"tanh\")"
                        .into(),
                );
            }
            ("gelu", None)
        }
        "Softmax" => {
            // The last axis of a [batch, width] value; opsets before 13 default to 1.
            let axis = int_attribute(node, "axis", -1);
            if !matches!(axis, -1 | 1) {
                return Err(format!(
                    "normalises over axis {axis}; these networks apply softmax over the last axis"
                ));
            }
            ("softmax", None)
        }
        _ => return Ok(None),
    }))
}

/// An initializer's values, in the order it stores them, after refusing external
/// data, an element type other than float and double, and values that do not fill
/// its shape.
fn tensor(t: &TensorProto, dtype: &str) -> Result<Named, Error> {
    let name = t.name.clone();
    if t.data_location == EXTERNAL || !t.external_data.is_empty() {
        let location = (t.external_data.iter())
            .find(|e| e.key == "location")
            .map_or("an external file", |e| e.value.as_str());
        return Err(Error::ExternalData {
            tensor: name,
            location: location.into(),
        });
    }
    let shape = (t.dims.iter())
        .map(|&d| usize::try_from(d))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| Error::OnnxGraph {
            message: format!(
                "gives initializer {name} the dims {:?}: negative, or too large for this machine",
                t.dims
            ),
        })?;
    let (found, values): (&str, Vec<f64>) = match t.data_type {
        FLOAT if t.raw_data.is_empty() => ("f32", t.float_data.iter().map(|&v| v.into()).collect()),
        DOUBLE if t.raw_data.is_empty() => ("f64", t.double_data.clone()),
        FLOAT => (
            "f32",
            little_endian(&t.raw_data, |b| f32::from_le_bytes(b).into()),
        ),
        DOUBLE => ("f64", little_endian(&t.raw_data, f64::from_le_bytes)),
        other => {
            return Err(Error::WrongDtype {
                tensor: name,
                expected: dtype.into(),
                found: element_type(other),
            });
        }
    };
    let raw_width = if found == "f32" { 4 } else { 8 };
    let count = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if count != Some(values.len()) || !t.raw_data.len().is_multiple_of(raw_width) {
        return Err(Error::ValueCount {
            tensor: name,
            expected: count.unwrap_or(usize::MAX),
            found: match t.raw_data.is_empty() {
                true => values.len(),
                false => t.raw_data.len() / raw_width,
            },
            shape,
        });
    }
    Ok(Named {
        name,
        stored: Stored {
            dtype: found.to_string(),
            shape,
            values,
        },
    })
}

/// The values of little-endian `bytes`, `N` bytes each (a ragged end is left out:
/// the caller refuses it).
fn little_endian<const N: usize>(bytes: &[u8], value: impl Fn([u8; N]) -> f64) -> Vec<f64> {
    bytes
        .chunks_exact(N)
        .map(|b| value(b.try_into().expect("N bytes")))
        .collect()
}

/// ONNX's name of an element type, as `TensorProto.DataType` lists them.
fn element_type(code: i32) -> String {
    let name = match code {
        2 => "uint8",
        3 => "int8",
        4 => "uint16",
        5 => "int16",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        12 => "uint32",
        13 => "uint64",
        16 => "bfloat16",
        _ => return format!("ONNX element type {code}"),
    };
    name.into()
}
