//! The one integration-test binary: the real `lotstation` binary driven as a user (or a
//! script) would, and its database read back directly.

mod camera;
mod cli;
mod cluster;
mod complaints;
mod console;
mod corrections;
mod devices;
mod docs;
mod durability;
mod epcis;
mod fsma;
mod gs1_oracle;
mod http;
mod import;
mod labels;
mod printing;
#[path = "../ql/mod.rs"]
mod ql;
mod rejections;
mod service;
mod session;
mod shops;
mod simulate;
mod stations;
mod stocks;
mod support;
mod trace;
