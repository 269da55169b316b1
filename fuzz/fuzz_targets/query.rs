//! The query parser (`query::parse`): quotes, parentheses, fields, date ranges, slop,
//! fuzzy distances, limits. Errors must point inside the query.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match coindex::search::query::parse(&text) {
        Ok(_) => {}
        Err(e) => {
            if let coindex::Error::Query { pos, .. } = &e {
                assert!(*pos <= text.len());
            }
            let _ = e.to_string();
        }
    }
});
