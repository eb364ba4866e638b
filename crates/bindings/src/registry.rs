//! The networks of this instance, by handle (index + 1; 0 is never a handle).
//!
//! A plain cell, not a `RefCell`: a borrow flag would stay set after a trap and poison every
//! later call. wasm32 without threads runs one call at a time, so no two borrows overlap.

use super::js_error;
use std::cell::UnsafeCell;
use wasm_bindgen::JsError;
use wasm_rnn_kernels::{Error, Network};

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("the network registry assumes a single-threaded wasm instance");

/// Objects by handle, reusing freed slots. Boxed: the slot table keeps its peak length, and an
/// empty slot then costs a pointer, not a whole network.
pub struct Slots<T> {
    slots: Vec<Option<Box<T>>>,
    free: Vec<u32>,
}

pub type Registry = Slots<Network>;

struct SingleThreaded(UnsafeCell<Registry>);
// SAFETY: the wasm instance is single-threaded (checked above); native builds of this crate
// only compile it (the kernels are tested directly), they never call into the registry.
unsafe impl Sync for SingleThreaded {}

static REGISTRY: SingleThreaded = SingleThreaded(UnsafeCell::new(Slots::new()));

/// The registry. Each exported function takes it once and calls no other export meanwhile.
#[allow(clippy::mut_from_ref)]
pub fn registry() -> &'static mut Registry {
    // SAFETY: see `SingleThreaded`; no exported function holds two of these references.
    unsafe { &mut *REGISTRY.0.get() }
}

impl<T> Slots<T> {
    pub const fn new() -> Self {
        Self { slots: Vec::new(), free: Vec::new() }
    }

    pub fn insert(&mut self, value: T) -> Result<u32, Error> {
        if let Some(handle) = self.free.pop() {
            self.slots[handle as usize - 1] = Some(Box::new(value));
            return Ok(handle);
        }
        self.slots.try_reserve(1).map_err(|_| Error::Argument("no memory left for another object".into()))?;
        self.free.try_reserve(self.slots.len() + 1).map_err(|_| Error::Argument("no memory left for another object".into()))?;
        self.slots.push(Some(Box::new(value)));
        Ok(self.slots.len() as u32)
    }

    pub fn get(&mut self, handle: u32) -> Option<&mut T> {
        handle.checked_sub(1).and_then(|i| self.slots.get_mut(i as usize)).and_then(Option::as_mut).map(|b| &mut **b)
    }

    pub fn remove(&mut self, handle: u32) {
        if let Some(slot) = handle.checked_sub(1).and_then(|i| self.slots.get_mut(i as usize)) {
            if slot.take().is_some() {
                self.free.push(handle); // capacity reserved by `insert`: never allocates
            }
        }
    }
}

impl Registry {
    fn network(&mut self, handle: u32) -> Result<&mut Network, JsError> {
        self.get(handle).ok_or_else(|| js_error(Error::Argument(format!("no network with handle {handle} (disposed?)"))))
    }
}

pub fn net(handle: u32) -> Result<&'static Network, JsError> {
    registry().network(handle).map(|n| &*n)
}

pub fn net_mut(handle: u32) -> Result<&'static mut Network, JsError> {
    registry().network(handle)
}
