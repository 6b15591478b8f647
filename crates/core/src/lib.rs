//! lotstation's core: the scan grammar, GS1, codes and quantities, the bench's workflows,
//! the byte decoders of devices, labels and the PDF writer, master-data and shop parsing,
//! EPCIS and the history checks. No IO, no clock, no database: time, records and ids come
//! in as inputs, and a file's bytes or a time zone are asked of the `host::Host` it is given. Its dependency tree has no tokio,
//! rusqlite, postgres, axum or hyper (the compiler guards what ARCHITECTURE.md promises).

pub mod account;
pub mod capture;
pub mod codes;
pub mod complaint;
pub mod config;
pub mod fsma;
pub mod gs1;
pub mod net;
pub mod plain;
pub mod print;
pub mod scan;
pub mod trace;
pub mod workflow;

pub mod decode;
pub mod epcis;
pub mod history_check;
pub mod history_plan;
pub mod host;
pub mod import_plan;
pub mod label;
pub mod location;
pub mod masterdata;
pub mod pdf;
pub mod shop_plan;
pub mod shops;

/// Lower-case hexadecimal of `bytes`, two digits per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    text
}

/// `n` of a thing in words: `1 lot`, `3 lots`, `0 lots`.
pub fn counted<N: TryInto<i64>>(n: N, noun: &str) -> String {
    counted_as(n, noun, &format!("{noun}s"))
}

/// `n` of a thing whose plural is not its name and an `s`: `1 bench`, `2 benches`.
pub fn counted_as<N: TryInto<i64>>(n: N, singular: &str, plural: &str) -> String {
    match n.try_into().unwrap_or(i64::MAX) {
        1 => format!("1 {singular}"),
        n => format!("{n} {plural}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_in_words() {
        assert_eq!(super::counted(1u32, "lot"), "1 lot");
        assert_eq!(super::counted(0usize, "lot"), "0 lots");
        assert_eq!(super::counted_as(2i64, "bench", "benches"), "2 benches");
    }

    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
