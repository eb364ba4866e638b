//! The one error type of the kernel crate; each variant has a stable code the TypeScript side maps.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A layer configuration that cannot be built.
    InvalidConfig(String),
    /// A buffer whose length does not match the shape the call implies.
    Shape { what: String, expected: String, actual: String },
    /// A parameter index outside the network's parameter list.
    UnknownParam(usize),
    /// An argument that does not apply (e.g. a cell state for a GRU).
    Argument(String),
    /// backward() without a training-mode forward() since the last backward().
    NoTrainingForward,
    /// The call would allocate `need` bytes (itemized in `detail`) while `in_use` are live and
    /// the instance's budget is `budget` (see `memory::INSTANCE_BUDGET_BYTES`).
    TooLarge { need: u64, in_use: u64, budget: u64, detail: String },
    /// A loss or gradient turned NaN or infinite in training (nothing was updated).
    NonFinite(String),
}

impl Error {
    /// A stable machine-readable code (mirrored by `WasmRnnError.code` in TypeScript).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidConfig(_) => "E_CONFIG",
            Error::Shape { .. } => "E_SHAPE",
            Error::UnknownParam(_) => "E_PARAM_NAME",
            Error::Argument(_) => "E_ARGUMENT",
            Error::NoTrainingForward => "E_NO_TRAINING_FORWARD",
            Error::TooLarge { .. } => "E_TOO_LARGE",
            Error::NonFinite(_) => "E_NON_FINITE",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(msg) => write!(f, "invalid configuration: {msg}"),
            Error::Shape { what, expected, actual } => write!(f, "{what}: expected {expected}, got {actual}"),
            Error::UnknownParam(i) => write!(f, "no parameter with index {i}"),
            Error::Argument(msg) => write!(f, "{msg}"),
            Error::NoTrainingForward => {
                write!(f, "backward() needs a forward() with training: true first (each backward consumes the saved activations)")
            }
            Error::NonFinite(msg) => write!(f, "{msg}"),
            Error::TooLarge { need, in_use, budget, detail } => write!(
                f,
                "this call needs {need} bytes of wasm memory ({detail}); {in_use} bytes are in use and the instance's budget is {budget} bytes (use a smaller batch or sequence, or dispose of other layers)"
            ),
        }
    }
}

impl std::error::Error for Error {}
