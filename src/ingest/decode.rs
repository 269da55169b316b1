//! Bytes → text: gzip, byte-order marks, UTF-8, UTF-16 and legacy single-byte encodings.
//!
//! Decompression is bounded by the caller's size limit so a gzip bomb cannot exhaust
//! memory. Encoding detection: a BOM wins; valid UTF-8 is taken as is; UTF-16 without a
//! BOM is recognized by its NUL pattern; anything else is guessed by `chardetng` (which
//! picks Windows-1252 for Latin-1 text) and decoded by `encoding_rs`.
//!
//! It works on bytes already in memory: reading files and the size limit are `read`'s.

use std::io::Read;

/// Decompresses gzip data, refusing to produce more than `limit` bytes.
pub fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut dec = flate2::read::MultiGzDecoder::new(data).take(limit + 1);
    dec.read_to_end(&mut out)
        .map_err(|e| format!("broken gzip data: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "decompressed size exceeds the {} MB limit (raise it with --max-file-mb)",
            limit / (1024 * 1024)
        ));
    }
    Ok(out)
}

/// True when the bytes look like a binary file rather than text.
pub fn looks_binary(data: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"\x7fELF",
        b"GIF8",
        b"\xff\xd8\xff",
        b"%PDF",
        b"PK\x03\x04",
        b"MZ",
        b"\x00\x00\x01\x00",
        b"RIFF",
        b"OggS",
        b"fLaC",
        b"ID3",
        b"\x1f\x8b",
    ];
    if MAGIC.iter().any(|m| data.starts_with(m)) {
        return true;
    }
    if utf16_guess(data).is_some() {
        return false;
    }
    let sample = &data[..data.len().min(8192)];
    // non-short-circuit `&`/`|` and a u32 sum: this vectorizes, where
    // `filter(..).count()` with `&&` tested every byte of every file with branches
    let control: u32 = sample
        .iter()
        .map(|&b| u32::from((b < 0x09) | ((b > 0x0d) & (b < 0x20) & (b != 0x1b))))
        .sum();
    let control = control as usize;
    control * 20 > sample.len().max(1) // more than 5% control bytes
}

pub(crate) fn utf16_guess(data: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &data[..data.len().min(4096) & !1];
    // UTF-16 text is half NUL bytes; one SIMD scan rules it out for ordinary text
    if sample.len() < 4 || memchr::memchr(0, sample).is_none() {
        return None;
    }
    let even_nul = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let half = sample.len() / 2;
    if odd_nul * 10 > half * 7 && even_nul * 10 < half {
        Some(encoding_rs::UTF_16LE)
    } else if even_nul * 10 > half * 7 && odd_nul * 10 < half {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Decodes bytes to text; returns the text and the encoding's name.
pub fn decode(data: &[u8]) -> (String, &'static str) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(data) {
        let (text, _) = enc.decode_without_bom_handling(&data[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    if let Some(enc) = utf16_guess(data) {
        let (text, _) = enc.decode_without_bom_handling(data);
        return (text.into_owned(), enc.name());
    }
    if let Ok(s) = std::str::from_utf8(data) {
        return (s.to_string(), "UTF-8");
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(data, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = enc.decode(data);
    (text.into_owned(), enc.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let utf16le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("Ether €".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let utf16le_nobom: Vec<u8> = "Ether rises"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"\xef\xbb\xbfBOM text".to_vec(), "BOM text"),
            (
                "caf\u{e9} \u{2019}".as_bytes().to_vec(),
                "caf\u{e9} \u{2019}",
            ),
            (utf16le, "Ether €"),
            (utf16le_nobom, "Ether rises"),
            (
                b"Caf\xe9 cr\xe8me \x93quoted\x94 price".to_vec(),
                "Café crème “quoted” price",
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(decode(&bytes).0, want);
        }
    }

    #[test]
    fn binary_and_gzip() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\0\0\0"));
        assert!(!looks_binary(b"plain text\n"));
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&[b'a'; 10_000]).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(gunzip(&gz, 20_000).unwrap().len(), 10_000);
        assert!(gunzip(&gz, 1_000).is_err());
        assert!(gunzip(&gz[..gz.len() / 2], 20_000).is_err());
    }
}
