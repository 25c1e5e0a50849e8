//! [`Workspace`]: where the `*_with` methods compute, so that they allocate nothing.

#[cfg(feature = "alloc")]
use crate::compiled::Compiled;
use crate::init::Uniform;
use crate::network::Network;
use core::marker::PhantomData;

/// Where [`Network::predict_batch_with`], [`Network::loss_with`] and
/// [`Network::gradients_with`] compute. Make one per thread and reuse it: those
/// methods then allocate nothing, for any number of rows.
///
/// Two kinds:
/// - [`Workspace::new`] holds batch buffers for `capacity` rows (with an
///   allocator); rows are processed in chunks of that size with the batch kernels.
/// - [`Workspace::by_sample`] holds nothing and computes one row at a time on the
///   stack: the form without an allocator, and for a few rows per call.
///
/// Both give the same values, to rounding. Gradients computed in a workspace made
/// [`Workspace::dropout`] drop units of the layers declared with `dropout(rate)`
/// (training); otherwise, and for predictions and losses always, every unit passes.
pub struct Workspace<N: Network> {
    #[cfg(feature = "alloc")]
    buffers: Option<<N::Compiled as Compiled<N>>::Buffers>,
    capacity: usize,
    masks: Option<Uniform>,
    network: PhantomData<fn() -> N>,
}

impl<N: Network> Workspace<N> {
    /// Batch buffers for up to `capacity` rows at a time (at least one).
    #[cfg(feature = "alloc")]
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            buffers: Some(<N::Compiled as Compiled<N>>::buffers(capacity)),
            capacity,
            masks: None,
            network: PhantomData,
        }
    }

    /// No buffers: one row at a time on the stack, without an allocator.
    pub fn by_sample() -> Self {
        Self {
            #[cfg(feature = "alloc")]
            buffers: None,
            capacity: 1,
            masks: None,
            network: PhantomData,
        }
    }

    /// This workspace in training mode: [`Network::gradients_with`] drops units of
    /// the layers declared with `dropout(rate)`, with masks drawn from a generator
    /// seeded by `seed`. The same seed and calls give the same masks.
    pub fn dropout(mut self, seed: u64) -> Self {
        self.masks = Some(Uniform::new(seed));
        self
    }

    /// How many rows are processed at a time (1 for [`Workspace::by_sample`]).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether this workspace computes one row at a time on the stack.
    pub fn is_by_sample(&self) -> bool {
        #[cfg(feature = "alloc")]
        return self.buffers.is_none();
        #[cfg(not(feature = "alloc"))]
        return true;
    }

    /// The dropout masks' generator: `Some` in training mode.
    pub(crate) fn masks(&mut self) -> Option<&mut Uniform> {
        self.masks.as_mut()
    }

    /// Sets the dropout masks' generator (the trainer draws one per epoch).
    #[cfg(feature = "alloc")]
    pub(crate) fn set_masks(&mut self, masks: Option<Uniform>) {
        self.masks = masks;
    }

    /// The batch buffers and the masks, `None` for a by-sample workspace.
    #[cfg(feature = "alloc")]
    #[allow(clippy::type_complexity)]
    pub(crate) fn batch(
        &mut self,
    ) -> Option<(
        &mut <N::Compiled as Compiled<N>>::Buffers,
        Option<&mut Uniform>,
    )> {
        let buffers = self.buffers.as_mut()?;
        Some((buffers, self.masks.as_mut()))
    }
}
