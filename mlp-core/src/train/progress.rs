//! A progress bar over the epochs (feature `progress`), drawn only on a terminal.

use super::history::Epoch;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub(super) struct Bar(Option<ProgressBar>);

impl Bar {
    pub(super) fn new(wanted: bool, epochs: usize) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg} [{elapsed_precise}]")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(Some(bar))
    }

    /// Starts the bar after the epochs an earlier run completed.
    pub(super) fn skip(&self, epochs: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(epochs as u64);
        }
    }

    pub(super) fn epoch(&self, e: &Epoch) {
        if let Some(bar) = &self.0 {
            let mut msg = format!("loss {:.4}", e.train_loss.unwrap_or(e.step_loss));
            if let Some(v) = e.validation_loss {
                msg += &format!(", validation {v:.4}");
            }
            if let Some(a) = e.validation_accuracy.or(e.train_accuracy) {
                msg += &format!(", accuracy {a:.3}");
            }
            bar.set_message(msg);
            bar.inc(1);
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.abandon();
        }
    }
}
