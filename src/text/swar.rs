//! Eight bytes at a time ("SIMD within a register"): the constants and the load shared by
//! the byte scans on hot paths (the tokenizer's word runs, whitespace collapsing). Each
//! test is written so that a carry or borrow between bytes cannot change its answer
//! (most add to values masked below 0x80); the comments at each use say why. The scans
//! themselves live with their callers (`text::whitespace`, `analysis`).

/// 0x01 in every byte: `n * ONES` puts `n` in every byte.
pub const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte, where the tests leave their per-byte answers.
pub const HIGH: u64 = 0x8080_8080_8080_8080;
/// The low seven bits of every byte.
pub const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The eight bytes at `i`, little-endian (byte `i` lowest), if there are eight.
#[inline]
pub fn u64_at(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk = bytes.get(i..i + 8)?;
    let mut group = [0u8; 8];
    group.copy_from_slice(chunk);
    Some(u64::from_le_bytes(group))
}
