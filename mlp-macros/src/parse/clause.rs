//! The clauses after the layers: `loss = ...`, `scalar = ...`, `weights = "..."`
//! (or `weights = pytorch("...")`), in any order, each once, `loss` required.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Error, Ident, LitStr, Token};

use crate::ast::{ActivationKind, Layer, Loss, Scalar, WeightsFile};
use crate::keyword;

/// The clauses of a network.
pub(super) struct Clauses {
    pub(super) loss: Loss,
    pub(super) scalar: Option<Scalar>,
    pub(super) weights: Option<WeightsFile>,
}

impl Clauses {
    /// `(';' clause)+ ';'?` after the layers, `last` being the output layer.
    pub(super) fn parse(input: ParseStream, last: &Layer) -> syn::Result<Self> {
        let mut loss: Option<Loss> = None;
        let mut scalar: Option<Scalar> = None;
        let mut weights: Option<WeightsFile> = None;
        while input.parse::<Option<Token![;]>>()?.is_some() {
            if input.is_empty() {
                break;
            }
            let clause: Clause = input.parse()?;
            let done = match clause {
                Clause::Loss(keyword, value) => {
                    once(&loss, &keyword)?;
                    let done = describe_loss(&value);
                    loss = Some(value);
                    done
                }
                Clause::Scalar(keyword, value) => {
                    once(&scalar, &keyword)?;
                    let done = format!("scalar = {}", keyword::scalar_name(value.kind));
                    scalar = Some(value);
                    done
                }
                Clause::Weights(keyword, file) => {
                    once(&weights, &keyword)?;
                    let path = format!("{:?}", file.path.value());
                    let done = match file.pytorch {
                        true => format!("weights = {}({path})", keyword::PYTORCH),
                        false => format!("weights = {path}"),
                    };
                    weights = Some(file);
                    done
                }
            };
            expect_after_clause(input, &done)?;
        }

        let Some(loss) = loss else {
            return Err(Error::new(
                last.activation.span,
                format!(
                    "missing `loss = ...`; add e.g. `; loss = {}` after the last layer",
                    suggested_loss(last.activation.kind)
                ),
            ));
        };
        Ok(Clauses {
            loss,
            scalar,
            weights,
        })
    }
}

/// `NAME = ...` after the layers.
enum Clause {
    Loss(Ident, Loss),
    Scalar(Ident, Scalar),
    Weights(Ident, WeightsFile),
}

impl Parse for Clause {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![;]) {
            return Err(input.error("remove the extra `;`"));
        }
        if !input.peek(Ident::peek_any) {
            return Err(input.error(format!(
                "expected {} after `;`",
                keyword::clause_list(" = ...")
            )));
        }
        let keyword = input.call(Ident::parse_any)?;
        let name = keyword.unraw().to_string();
        match name.as_str() {
            keyword::LOSS => {
                let eq = expect_eq(input, &keyword, "mse")?;
                if !input.peek(Ident::peek_any) {
                    return Err(error_at_next(
                        input,
                        eq,
                        "expected a loss after `loss =`, e.g. `loss = mse`",
                    ));
                }
                Ok(Clause::Loss(keyword, input.parse()?))
            }
            keyword::SCALAR => {
                let eq = expect_eq(input, &keyword, "f64")?;
                if !input.peek(Ident::peek_any) {
                    return Err(error_at_next(
                        input,
                        eq,
                        format!("expected {} after `scalar =`", keyword::scalar_list()),
                    ));
                }
                Ok(Clause::Scalar(keyword, input.parse()?))
            }
            keyword::WEIGHTS => {
                let eq = expect_eq(input, &keyword, "\"model.safetensors\"")?;
                if input.peek(Ident::peek_any)
                    && input.fork().call(Ident::parse_any)? == keyword::PYTORCH
                {
                    let pytorch = input.call(Ident::parse_any)?;
                    let content;
                    syn::parenthesized!(content in input);
                    if !content.peek(LitStr) || !content.peek2(syn::parse::End) {
                        return Err(Error::new(
                            pytorch.span(),
                            "expected the path of a PyTorch nn.Sequential safetensors file in \
                             quotes, e.g. `weights = pytorch(\"model.safetensors\")`",
                        ));
                    }
                    let path = content.parse()?;
                    return Ok(Clause::Weights(
                        keyword,
                        WeightsFile {
                            path,
                            pytorch: true,
                        },
                    ));
                }
                if !input.peek(LitStr) {
                    return Err(error_at_next(
                        input,
                        eq,
                        "expected the path of a safetensors file in quotes after `weights =`, \
                         e.g. `weights = \"model.safetensors\"`",
                    ));
                }
                let path = input.parse()?;
                Ok(Clause::Weights(
                    keyword,
                    WeightsFile {
                        path,
                        pytorch: false,
                    },
                ))
            }
            _ => Err(Error::new(keyword.span(), keyword::unknown_option(&name))),
        }
    }
}

/// Parses the `=` after a clause keyword and returns its span.
fn expect_eq(input: ParseStream, keyword: &Ident, example: &str) -> syn::Result<Span> {
    if input.peek(Token![=]) {
        let eq: Token![=] = input.parse()?;
        Ok(eq.span())
    } else {
        Err(error_at_next(
            input,
            keyword.span(),
            format!("expected `=` after `{keyword}`, e.g. `{keyword} = {example}`"),
        ))
    }
}

/// An error at the next token, or at `at_end` when the input is exhausted
/// (where `input.error` would point at the call site and prefix
/// "unexpected end of input").
fn error_at_next(input: ParseStream, at_end: Span, message: impl std::fmt::Display) -> Error {
    let span = if input.is_empty() {
        at_end
    } else {
        input.span()
    };
    Error::new(span, message)
}

impl Parse for Scalar {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident = input.call(Ident::parse_any)?;
        let name = ident.unraw().to_string();
        let Some(kind) = keyword::scalar(&name) else {
            return Err(Error::new(ident.span(), keyword::unknown_scalar(&name)));
        };
        Ok(Scalar {
            kind,
            span: ident.span(),
        })
    }
}

/// After a clause: `;` and the next clause, or the end.
fn expect_after_clause(input: ParseStream, clause: &str) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![;]) {
        Ok(())
    } else if input.peek(Token![,]) {
        Err(input.error("write `;` between clauses, not `,`"))
    } else if let Some(name) = peek_clause_keyword(input) {
        Err(input.error(format!("expected `;` before `{name}`")))
    } else {
        Err(input.error(format!(
            "expected `;` or the end of the network after `{clause}`"
        )))
    }
}

fn once<T>(seen: &Option<T>, keyword: &Ident) -> syn::Result<()> {
    match seen {
        Some(_) => Err(Error::new(
            keyword.span(),
            format!("`{keyword}` is given twice; keep one"),
        )),
        None => Ok(()),
    }
}

fn describe_loss(loss: &Loss) -> String {
    let param = if loss.param.is_some() { "(...)" } else { "" };
    format!("loss = {}{param}", keyword::loss_name(loss.kind))
}

/// The loss a missing `loss` clause most likely wants, given the output.
fn suggested_loss(output: ActivationKind) -> &'static str {
    match output {
        ActivationKind::Sigmoid => "bce",
        ActivationKind::Softmax => "cce",
        _ => "mse",
    }
}

/// The clause keyword (`loss`, `scalar`, ...) at the head of `input`, if any.
pub(super) fn peek_clause_keyword(input: ParseStream) -> Option<String> {
    let (ident, _) = input.cursor().ident()?;
    let name = ident.unraw().to_string();
    keyword::CLAUSES.contains(&name.as_str()).then_some(name)
}

#[cfg(test)]
mod tests {
    use crate::ast::{LossKind, ScalarKind};
    use crate::parse::test_support::{err, ok};
    use quote::quote;

    #[test]
    fn scalar_option() {
        let net = ok(quote!(2 => 4 leaky_relu(0.2) => 3 softmax; loss = cce; scalar = f64;));
        assert_eq!(net.scalar.kind, ScalarKind::F64);
        let net = ok(quote!(2 => 3 softmax; loss = cce; scalar = f32));
        assert_eq!(net.scalar.kind, ScalarKind::F32);
    }

    #[test]
    fn options_may_come_before_the_loss() {
        let net = ok(quote!(2 => 1 linear; scalar = f64; loss = mse));
        assert_eq!(net.scalar.kind, ScalarKind::F64);
        assert_eq!(net.loss.kind, LossKind::Mse);
    }

    #[test]
    fn unknown_option() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scaler = f64)),
            "unknown option `scaler`; did you mean `scalar`?"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; epochs = 10)),
            "unknown option `epochs`; expected `loss`, `scalar` or `weights`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; los = mse)),
            "unknown option `los`; did you mean `loss`?"
        );
        assert_eq!(
            err(quote!(2 => 1 sigmoid; bce)),
            "unknown option `bce`; write `loss = bce`"
        );
        let net = ok(quote!(2 => 1 linear; loss = mse; weights = "w.safetensors"));
        let file = net.weights.unwrap();
        assert_eq!(
            (file.path.value().as_str(), file.pytorch),
            ("w.safetensors", false)
        );
        let net = ok(quote!(2 => 1 linear; loss = mse; weights = pytorch("w.safetensors")));
        let file = net.weights.unwrap();
        assert_eq!(
            (file.path.value().as_str(), file.pytorch),
            ("w.safetensors", true)
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; weights = pytorch(w))),
            "expected the path of a PyTorch nn.Sequential safetensors file in quotes, e.g. \
             `weights = pytorch(\"model.safetensors\")`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; weights = w)),
            "expected the path of a safetensors file in quotes after `weights =`, e.g. \
             `weights = \"model.safetensors\"`"
        );
    }

    #[test]
    fn unknown_scalar() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f16)),
            "unknown scalar `f16`; expected `f32` or `f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = double)),
            "unknown scalar `double`; write `f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = 64)),
            "expected `f32` or `f64` after `scalar =`"
        );
    }

    #[test]
    fn missing_loss_suggests_one_that_fits_the_output() {
        for (output, loss) in [
            (quote!(1 sigmoid), "bce"),
            (quote!(3 softmax), "cce"),
            (quote!(1 linear), "mse"),
            (quote!(1 tanh), "mse"),
        ] {
            let message =
                format!("missing `loss = ...`; add e.g. `; loss = {loss}` after the last layer");
            assert_eq!(err(quote!(2 => 4 relu => #output)), message);
            assert_eq!(err(quote!(2 => 4 relu => #output;)), message);
            assert_eq!(err(quote!(2 => 4 relu => #output; scalar = f64)), message);
            assert_eq!(err(quote!(struct N { 2 => #output })), message);
        }
    }

    #[test]
    fn repeated_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; loss = mae)),
            "`loss` is given twice; keep one"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f64; scalar = f32)),
            "`scalar` is given twice; keep one"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; scalar = f64; loss = mse; scalar = f64)),
            "`scalar` is given twice; keep one"
        );
    }

    #[test]
    fn malformed_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss mse)),
            "expected `=` after `loss`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss: mse)),
            "expected `=` after `loss`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar f64)),
            "expected `=` after `scalar`, e.g. `scalar = f64`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = )),
            "expected a loss after `loss =`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = ; scalar = f64)),
            "expected a loss after `loss =`, e.g. `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear;; loss = mse)),
            "remove the extra `;`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; 3)),
            "expected `loss = ...`, `scalar = ...` or `weights = ...` after `;`"
        );
    }

    #[test]
    fn missing_semicolon_between_clauses() {
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse scalar = f64)),
            "expected `;` before `scalar`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; scalar = f64 loss = mse)),
            "expected `;` before `loss`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse, scalar = f64)),
            "write `;` between clauses, not `,`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse extra)),
            "expected `;` or the end of the network after `loss = mse`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = huber(1.0) 7)),
            "expected `;` or the end of the network after `loss = huber(...)`"
        );
        assert_eq!(
            err(quote!(2 => 1 linear; loss = mse; scalar = f64 => 3)),
            "expected `;` or the end of the network after `scalar = f64`"
        );
    }
}
