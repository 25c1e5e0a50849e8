//! Graphs written here node by node: each encoding of the weights, and each way a
//! model is refused, with the message that names what is wrong.

use super::proto::*;
use super::*;
use alloc::vec;

const NETWORK: &str = "2 => 3 relu => 1 sigmoid; loss = bce";
const WIDTHS: &[usize] = &[2, 3, 1];

/// A float initializer in `raw_data`.
fn raw(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: FLOAT,
        name: name.into(),
        raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..TensorProto::default()
    }
}

fn node(op: &str, inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        name: format!("{op}_{output}"),
        op_type: op.into(),
        ..NodeProto::default()
    }
}

fn value(name: &str, width: i64) -> ValueInfoProto {
    let dim = |value| Dimension { value: Some(value) };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: FLOAT,
                shape: Some(TensorShapeProto {
                    dim: vec![
                        dim(DimensionValue::DimParam("batch".into())),
                        dim(DimensionValue::DimValue(width)),
                    ],
                }),
            }),
        }),
    }
}

/// `2 => 3 relu => 1 sigmoid` as PyTorch writes it: Gemm, Relu, Gemm, Sigmoid.
fn graph() -> GraphProto {
    GraphProto {
        node: vec![
            gemm(&["x", "w0", "b0"], "z0"),
            node("Relu", &["z0"], "h0"),
            gemm(&["h0", "w1", "b1"], "z1"),
            node("Sigmoid", &["z1"], "y"),
        ],
        name: "g".into(),
        initializer: vec![
            raw("w0", &[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            raw("b0", &[3], &[0.5, -0.5, 0.25]),
            raw("w1", &[1, 3], &[1.0, -1.0, 2.0]),
            raw("b1", &[1], &[-1.0]),
        ],
        input: vec![value("x", 2)],
        output: vec![value("y", 1)],
    }
}

fn gemm(inputs: &[&str], output: &str) -> NodeProto {
    NodeProto {
        attribute: vec![AttributeProto {
            name: "transB".into(),
            r#type: ATTRIBUTE_INT,
            i: 1,
            ..AttributeProto::default()
        }],
        ..node("Gemm", inputs, output)
    }
}

fn bytes(graph: GraphProto) -> Vec<u8> {
    ModelProto {
        ir_version: 7,
        graph: Some(graph),
        ..ModelProto::default()
    }
    .encode_to_vec()
}

fn load(graph: GraphProto) -> Result<Vec<Vec<f64>>, Error> {
    compiled::<f32>(&bytes(graph), WIDTHS, NETWORK)
}

const VALUES: [&[f64]; 4] = [
    &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    &[0.5, -0.5, 0.25],
    &[1.0, -1.0, 2.0],
    &[-1.0],
];

#[test]
fn gemm_with_transposed_weights_is_read_as_stored() {
    assert_eq!(load(graph()).unwrap(), VALUES);
}

#[test]
fn matmul_add_float_data_double_data_and_constants_give_the_same_values() {
    let mut g = graph();
    // Layer 0 as MatMul (weight (in, out)) and Add, bias first, in float_data.
    g.node[0] = node("MatMul", &["x", "w0"], "m0");
    g.node.insert(1, node("Add", &["b0", "m0"], "z0"));
    g.initializer[0] = TensorProto {
        float_data: vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0],
        raw_data: vec![],
        dims: vec![2, 3],
        ..g.initializer[0].clone()
    };
    // Layer 1's weight from a Constant node, passed through an Identity.
    let w1 = g.initializer.remove(2);
    g.node.insert(
        0,
        NodeProto {
            attribute: vec![AttributeProto {
                name: "value".into(),
                r#type: 4,
                t: Some(w1),
                ..AttributeProto::default()
            }],
            ..node("Constant", &[], "c1")
        },
    );
    g.node.insert(1, node("Identity", &["c1"], "w1"));
    assert_eq!(load(g.clone()).unwrap(), VALUES);

    // Double initializers in double_data and raw_data load into an f64 network.
    for t in &mut g.initializer {
        let values: Vec<f64> = match t.raw_data.is_empty() {
            true => t.float_data.iter().map(|&v| v.into()).collect(),
            false => (t.raw_data.chunks_exact(4))
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()).into())
                .collect(),
        };
        t.data_type = DOUBLE;
        t.float_data.clear();
        t.raw_data.clear();
        match t.name.as_str() {
            "b0" => t.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            _ => t.double_data = values,
        }
    }
    if let Some(t) = g.node[0].attribute[0].t.as_mut() {
        t.data_type = DOUBLE;
        t.double_data = vec![1.0, -1.0, 2.0];
        t.raw_data.clear();
    }
    assert_eq!(compiled::<f64>(&bytes(g), WIDTHS, NETWORK).unwrap(), VALUES);
}

#[test]
fn gemm_alpha_beta_and_untransposed_weights_are_folded_in() {
    let mut g = graph();
    g.node[2].attribute = vec![
        AttributeProto {
            name: "alpha".into(),
            r#type: ATTRIBUTE_FLOAT,
            f: 0.5,
            ..AttributeProto::default()
        },
        AttributeProto {
            name: "beta".into(),
            r#type: ATTRIBUTE_FLOAT,
            f: 4.0,
            ..AttributeProto::default()
        },
    ];
    // transB = 0: the weight is (in, out) = (3, 1); the bias (1, out).
    g.initializer[2].dims = vec![3, 1];
    g.initializer[3].dims = vec![1, 1];
    let values = load(g).unwrap();
    assert_eq!(values[2], [0.5, -0.5, 1.0]);
    assert_eq!(values[3], [-4.0]);
}

fn refused(graph: GraphProto) -> String {
    load(graph).unwrap_err().to_string()
}

#[test]
fn the_first_unsupported_node_is_named_with_its_index_and_operator() {
    let mut g = graph();
    g.node[1] = node("Conv", &["z0", "w0"], "h0");
    let message = refused(g);
    assert!(
        message.starts_with(
            "ONNX node 1 (Conv `Conv_h0`) is not a dense layer or an activation these \
             networks have; these networks read a chain of dense layers (Gemm, or MatMul \
             then Add)"
        ),
        "{message}"
    );

    let mut g = graph();
    g.node[1].op_type = "Gelu".into();
    assert!(refused(g).starts_with(
        "ONNX node 1 (Gelu `Relu_h0`) computes the exact (erf) GELU; these networks \
             compute its tanh form"
    ));

    let mut g = graph();
    g.node[3].op_type = "Softmax".into();
    g.node[3].attribute = vec![AttributeProto {
        name: "axis".into(),
        r#type: ATTRIBUTE_INT,
        i: 0,
        ..AttributeProto::default()
    }];
    assert!(refused(g).starts_with("ONNX node 3 (Softmax `Sigmoid_y`) normalises over axis 0"));

    // Two activations in a row, an Add of a computed value, another domain.
    let mut g = graph();
    g.node.insert(2, node("Tanh", &["h0"], "t0"));
    g.node[3].input[0] = "t0".into();
    assert!(
        refused(g)
            .starts_with("ONNX node 2 (Tanh `Tanh_t0`) applies Tanh after the layer's activation")
    );
    let mut g = graph();
    g.node[1] = node("Add", &["z0", "q"], "h0");
    assert!(
        refused(g).starts_with("ONNX node 1 (Add `Add_h0`) adds `q`, which is not an initializer")
    );
    let mut g = graph();
    g.node[1] = node("Add", &["z0", "z0"], "h0");
    assert!(
        refused(g).starts_with("ONNX node 1 (Add `Add_h0`) adds `z0`, which is not an initializer")
    );
    // A Cast of the input to float passes (scikit-learn writes one); to int64, not.
    let mut g = graph();
    g.node[0].input[0] = "xf".into();
    let mut cast = node("Cast", &["x"], "xf");
    cast.attribute = vec![AttributeProto {
        name: "to".into(),
        r#type: ATTRIBUTE_INT,
        i: i64::from(FLOAT),
        ..AttributeProto::default()
    }];
    g.node.insert(0, cast);
    assert_eq!(load(g.clone()).unwrap(), VALUES);
    g.node[0].attribute[0].i = 7;
    assert!(refused(g).starts_with("ONNX node 0 (Cast `Cast_xf`) is not a dense layer"));
    let mut g = graph();
    g.node[1].domain = "com.microsoft".into();
    assert!(
        refused(g)
            .starts_with("ONNX node 1 (Relu `Relu_h0`) is of the operator set `com.microsoft`")
    );
    let mut g = graph();
    g.node[0].attribute.push(AttributeProto {
        name: "transA".into(),
        r#type: ATTRIBUTE_INT,
        i: 1,
        ..AttributeProto::default()
    });
    assert!(refused(g).starts_with("ONNX node 0 (Gemm `Gemm_z0`) transposes its input"));
}

#[test]
fn a_graph_that_is_no_chain_is_refused() {
    // A skip connection: the hidden value is read twice.
    let mut g = graph();
    g.node.push(node("Add", &["h0", "y"], "sum"));
    g.output[0].name = "sum".into();
    assert!(refused(g).starts_with(
        "ONNX node 4 (Add `Add_sum`) also reads `h0`, which node 2 reads: the graph branches"
    ));
    let mut g = graph();
    g.input.push(value("mask", 2));
    assert_eq!(
        refused(g),
        "the ONNX graph has 2 inputs (x, mask); a chain of dense layers has one"
    );
    let mut g = graph();
    g.output[0].name = "elsewhere".into();
    assert_eq!(
        refused(g),
        "the ONNX graph never passes `y` on to an output"
    );
    let mut g = graph();
    g.initializer.remove(0);
    assert!(refused(g).starts_with(
        "ONNX node 0 (Gemm `Gemm_z0`) multiplies by `w0`, which is not an initializer"
    ));
    let no_graph = ModelProto::default().encode_to_vec();
    assert_eq!(
        compiled::<f32>(&no_graph, WIDTHS, NETWORK)
            .unwrap_err()
            .to_string(),
        "the ONNX graph is missing: the model has no graph"
    );
    // A node whose output is its input would walk forever.
    let mut g = graph();
    g.node[1] = node("Identity", &["z0"], "z0");
    assert_eq!(refused(g), "the ONNX graph loops");
}

#[test]
fn initializers_of_the_wrong_shape_type_or_place_are_named() {
    let mut g = graph();
    g.initializer[2] = raw("w1", &[1, 4], &[1.0, -1.0, 2.0, 0.0]);
    assert_eq!(
        load(g),
        Err(Error::WrongShape {
            tensor: "w1".into(),
            expected: vec![1, 3],
            found: vec![1, 4],
        })
    );
    // An empty weight (no values, however wide its other dimension) is no layer; on
    // a 32-bit machine that width is no usize at all.
    let mut g = graph();
    g.initializer[0] = raw("w0", &[0, 1 << 60], &[]);
    let message = refused(g);
    if usize::BITS == 64 {
        assert!(message.starts_with(
            "ONNX node 0 (Gemm `Gemm_z0`) multiplies by w0, of shape [0, 1152921504606846976]: \
             a dense layer's weight is a matrix with a row and a column at least"
        ));
    } else {
        assert!(
            message.contains(
                "gives initializer w0 the dims [0, 1152921504606846976]: negative, or too large"
            ),
            "{message}"
        );
    }
    let mut g = graph();
    g.initializer[1] = raw("b0", &[2], &[0.5, -0.5]);
    assert!(refused(g).starts_with(
        "ONNX node 0 (Gemm `Gemm_z0`) adds b0 of shape [2] to 3 outputs: a bias has shape [3] or [1, 3]"
    ));
    let mut g = graph();
    g.initializer[1].data_type = 7;
    assert_eq!(refused(g), "tensor b0 is int64; the network needs f32");
    let mut g = graph();
    g.initializer[1].raw_data.pop();
    assert_eq!(
        load(g),
        Err(Error::ValueCount {
            tensor: "b0".into(),
            shape: vec![3],
            expected: 3,
            found: 2,
        })
    );
    let mut g = graph();
    g.initializer[0].raw_data[0..4].copy_from_slice(&f32::INFINITY.to_le_bytes());
    assert_eq!(refused(g), "tensor w0[0] is inf; parameters must be finite");
    let mut g = graph();
    g.initializer[0].raw_data.clear();
    g.initializer[0].data_location = EXTERNAL;
    g.initializer[0].external_data = vec![StringStringEntryProto {
        key: "location".into(),
        value: "weights.bin".into(),
    }];
    assert_eq!(
        load(g),
        Err(Error::ExternalData {
            tensor: "w0".into(),
            location: "weights.bin".into(),
        })
    );
}

#[test]
fn another_architecture_is_refused_naming_the_layer() {
    let err = compiled::<f32>(
        &bytes(graph()),
        WIDTHS,
        "2 => 3 tanh => 1 sigmoid; loss = bce",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file holds `2 => 3 relu => 1 sigmoid`, not `2 => 3 tanh => 1 sigmoid; loss = bce`: \
         layer 0 is relu in the file and tanh in the network"
    );
    // The declared input width counts too.
    let mut g = graph();
    g.input[0] = value("x", 5);
    assert_eq!(
        load(g),
        Err(Error::WrongShape {
            tensor: "w0".into(),
            expected: vec![3, 5],
            found: vec![3, 2],
        })
    );
    // A width of 2^32 + 2 is not 2, on a 32-bit machine either.
    let mut g = graph();
    g.input[0] = value("x", (1 << 32) + 2);
    assert!(load(g).is_err());
}

#[test]
fn activation_parameters_compare_in_f32() {
    let mut g = graph();
    g.node[1].op_type = "LeakyRelu".into();
    g.node[1].attribute = vec![AttributeProto {
        name: "alpha".into(),
        r#type: ATTRIBUTE_FLOAT,
        f: 0.123_456_789_f64 as f32,
        ..AttributeProto::default()
    }];
    let network = |slope: &str| format!("2 => 3 leaky_relu({slope}) => 1 sigmoid; loss = bce");
    let bytes = bytes(g);
    assert!(compiled::<f32>(&bytes, WIDTHS, &network("0.123456789")).is_ok());
    let err = compiled::<f32>(&bytes, WIDTHS, &network("0.1234")).unwrap_err();
    assert!(
        err.to_string().ends_with(
            "layer 0 is leaky_relu(0.12345679) in the file and leaky_relu(0.1234) in the network"
        ),
        "{err}"
    );
    // No alpha: ONNX's default, 0.01, the library's too.
    let mut g = graph();
    g.node[1].op_type = "LeakyRelu".into();
    assert!(
        compiled::<f32>(
            &super::tests::bytes(g),
            WIDTHS,
            "2 => 3 leaky_relu => 1 sigmoid; loss = bce"
        )
        .is_ok()
    );
}

#[test]
fn garbage_is_a_corrupt_file() {
    let err = compiled::<f32>(b"\xff\xff\xff\xff", WIDTHS, NETWORK).unwrap_err();
    assert!(
        matches!(&err, Error::CorruptFile { message } if message.starts_with("not an ONNX model (")),
        "{err}"
    );
}
