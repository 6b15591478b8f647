//! The benchmark: a deterministic synthetic workshop (`generate`) and the figures measured
//! on it (`run`), printed as one table by `lotstation bench run`.

pub mod figure;
pub mod generate;
pub mod run;
pub mod whole;
