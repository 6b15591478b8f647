//! The pure core: no IO, no clock, no database. Time, records and ids come in as inputs.

pub mod capture;
pub mod codes;
pub mod complaint;
pub mod fsma;
pub mod gs1;
pub mod net;
pub mod plain;
pub mod scan;
pub mod trace;
pub mod workflow;

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

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
