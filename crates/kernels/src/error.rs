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
    /// The call would need more memory than a 32-bit wasm instance can address.
    TooLarge { bytes: u64 },
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
            Error::TooLarge { bytes } => write!(f, "this call needs about {bytes} bytes of wasm memory, more than the 4 GiB a wasm32 instance can address"),
        }
    }
}

impl std::error::Error for Error {}
