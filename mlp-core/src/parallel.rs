//! Data parallelism over the rows of a batch (feature `parallel`, on rayon).
//!
//! The rows are split into one contiguous part per worker; each worker runs the
//! single-threaded kernels on its part with its own buffers. Gradients and losses
//! are summed over the parts in a fixed order, so a run is deterministic and agrees
//! with one thread up to the reassociation of those sums.

use crate::checks::check_batch;
use crate::compiled::{tensor, tensor_ids, tensor_mut};
use crate::error::Error;
use crate::gradients::Gradients;
use crate::network::{Network, gradient_sum};
use crate::real::Real;
use crate::workspace::Workspace;
use alloc::vec::Vec;
use rayon::prelude::*;

/// Buffers for every worker of the rayon pool: a [`Workspace`] and a gradient each.
pub struct ParallelWorkspace<N: Network> {
    workers: Vec<Worker<N>>,
}

struct Worker<N: Network> {
    ws: Workspace<N>,
    grads: Gradients<N>,
    loss: N::Scalar,
}

impl<N: Network> ParallelWorkspace<N> {
    /// One workspace of `capacity` samples per thread of the current rayon pool.
    pub fn new(capacity: usize) -> Self {
        let workers = (0..rayon::current_num_threads().max(1))
            .map(|_| Worker {
                ws: Workspace::new(capacity),
                grads: Gradients::zeros(),
                loss: N::Scalar::ZERO,
            })
            .collect();
        Self { workers }
    }

    /// How many workers share a batch.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Rows per worker for a batch of `rows`.
    fn part(&self, rows: usize) -> usize {
        rows.div_ceil(self.workers.len()).max(1)
    }
}

/// Batch prediction and training spread over the threads of the rayon pool.
pub trait ParallelNetwork: Network + Sync + Send
where
    Self::Input: Sync,
    Self::Output: Send,
    Self::Target: Sync,
{
    /// [`Network::predict_batch_with`] with the rows split across the workers.
    ///
    /// # Errors
    ///
    /// As [`Network::predict_batch_with`].
    fn par_predict_batch_with(
        &self,
        pws: &mut ParallelWorkspace<Self>,
        inputs: &[Self::Input],
        outputs: &mut [Self::Output],
    ) -> Result<(), Error> {
        if outputs.len() != inputs.len() {
            return Err(Error::RowCountMismatch {
                inputs: inputs.len(),
                found: outputs.len(),
                what: "output",
            });
        }
        let part = pws.part(inputs.len());
        pws.workers
            .par_iter_mut()
            .zip(inputs.par_chunks(part))
            .zip(outputs.par_chunks_mut(part))
            .try_for_each(|((w, x), y)| self.predict_batch_with(&mut w.ws, x, y))
    }

    /// [`Network::gradients_with`] with the rows split across the workers: `grads`
    /// receives the gradient of the whole batch's loss, which is returned.
    ///
    /// # Errors
    ///
    /// As [`Network::gradients_with`].
    fn par_gradients_with(
        &self,
        pws: &mut ParallelWorkspace<Self>,
        inputs: &[Self::Input],
        targets: &[Self::Target],
        grads: &mut Gradients<Self>,
    ) -> Result<Self::Scalar, Error> {
        check_batch::<Self>(inputs, targets)?;
        let scale = Self::Scalar::ONE / Self::Scalar::of(inputs.len() as f64);
        let part = pws.part(inputs.len());
        let used = inputs.len().div_ceil(part);
        pws.workers
            .par_iter_mut()
            .zip(inputs.par_chunks(part))
            .zip(targets.par_chunks(part))
            .for_each(|((w, x), y)| {
                w.loss = gradient_sum(self, &mut w.ws, x, y, scale, None, &mut w.grads)
            });
        let mut loss = Self::Scalar::ZERO;
        grads.clear();
        for w in &pws.workers[..used] {
            loss += w.loss;
            for id in tensor_ids::<Self>() {
                for (g, &p) in tensor_mut(&mut **grads, id)
                    .iter_mut()
                    .zip(tensor(&*w.grads, id))
                {
                    *g += p;
                }
            }
        }
        Ok(loss * scale)
    }
}

impl<N> ParallelNetwork for N
where
    N: Network + Sync + Send,
    N::Input: Sync,
    N::Output: Send,
    N::Target: Sync,
{
}
