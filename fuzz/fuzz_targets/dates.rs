//! Date parsing: page and record dates (`normalize::dates::parse_date`, checked to
//! round-trip through RFC 3339) and the `--from`/`--to`/`published:` bounds
//! (`config::DateBound`, `DateInterval`).
#![no_main]

use chrono::SecondsFormat;
use coindex::search::{DateBound, DateInterval};
use coindex::normalize::dates::parse_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for tz in [
        chrono_tz::America::New_York,
        chrono_tz::UTC,
        chrono_tz::Pacific::Apia,
    ] {
        if let Some(d) = parse_date(&text, tz) {
            assert_eq!(parse_date(&d.to_rfc3339(), tz), Some(d), "{text:?}");
            let z = d.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            assert_eq!(parse_date(&z, tz), Some(d), "{text:?}");
        }
        if let Ok(b) = DateBound::parse(&text) {
            let _ = (b.start(tz), b.end_exclusive(tz));
        }
        let (a, b) = text.split_once('|').unwrap_or((&text, ""));
        let _ = DateInterval::from_flags(Some(a), (!b.is_empty()).then_some(b), tz);
    }
});
