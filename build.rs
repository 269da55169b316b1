//! Build script:
//! - turns `index_schema/coins.toml` into two static tables of (lowercase word,
//!   canonical id) in `OUT_DIR/coins.rs`: the coin table is needed at every start, and
//!   parsing it at run time cost about 1M instructions (about 10% of a one-shot
//!   rare-word search) even as JSON; an invalid coin file fails the build instead of
//!   the first run;
//! - links the binaries as position-dependent executables on Linux.
//!
//! A position-independent executable must apply ~75,000 relative relocations at every
//! start (timezone, HTML-entity and coin tables are full of pointers), which faults in
//! and copies ~2 MB of pages: about 4 ms of a one-shot `coindex search`. Linking with
//! `-no-pie` resolves them at link time. Only this package's binaries are affected; the
//! code is still compiled position-independent, so tests and libraries are unchanged.

use serde_json::Value;

/// The (word, id) rows of the coin file, in file order: names, aliases, ids and
/// unambiguous tickers, and separately the ambiguous tickers. A later row for the same
/// word wins, as with inserting them into a map one by one.
/// (word, canonical id) rows.
type Rows = Vec<(String, String)>;

fn coin_rows(file: &Value) -> (Rows, Rows) {
    let coins = file
        .get("coin")
        .and_then(Value::as_array)
        .expect("index_schema/coins.toml: a list of [[coin]] tables");
    let mut words = Vec::new();
    let mut ambiguous = Vec::new();
    for (i, c) in coins.iter().enumerate() {
        let t = c
            .as_object()
            .unwrap_or_else(|| panic!("index_schema/coins.toml: coin #{i} is not a table"));
        for k in t.keys() {
            assert!(
                ["id", "name", "tickers", "aliases", "ambiguous"].contains(&k.as_str()),
                "index_schema/coins.toml: coin #{i} has an unknown key `{k}`"
            );
        }
        let text = |k: &str| -> String {
            t.get(k)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("index_schema/coins.toml: coin #{i} needs a text `{k}`"))
                .to_string()
        };
        let list = |k: &str, required: bool| -> Vec<String> {
            match t.get(k) {
                None if !required => Vec::new(),
                v => v
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_else(|| {
                        panic!("index_schema/coins.toml: coin #{i} needs `{k}` as a list of texts")
                    }),
            }
        };
        let id = text("id");
        let name = text("name");
        let tickers = list("tickers", true);
        let aliases = list("aliases", false);
        let is_ambiguous = match t.get("ambiguous") {
            None => false,
            Some(v) => v.as_bool().unwrap_or_else(|| {
                panic!("index_schema/coins.toml: coin #{i}: `ambiguous` is true or false")
            }),
        };
        words.push((id.to_lowercase(), id.clone()));
        words.push((name.to_lowercase(), id.clone()));
        for a in &aliases {
            words.push((a.to_lowercase(), id.clone()));
        }
        for t in &tickers {
            let row = (t.to_lowercase(), id.clone());
            if is_ambiguous {
                ambiguous.push(row);
            } else {
                words.push(row);
            }
        }
    }
    (words, ambiguous)
}

fn table(name: &str, doc: &str, rows: &Rows) -> String {
    let mut s = format!("/// {doc}\npub(crate) static {name}: &[(&str, &str)] = &[\n");
    for (w, id) in rows {
        s.push_str(&format!("    ({w:?}, {id:?}),\n"));
    }
    s.push_str("];\n");
    s
}

fn main() {
    let coins = std::fs::read_to_string("index_schema/coins.toml")
        .expect("index_schema/coins.toml is readable");
    let value: Value = toml::from_str(&coins).expect("index_schema/coins.toml is valid TOML");
    let (words, ambiguous) = coin_rows(&value);
    let src = table(
        "COIN_WORDS",
        "(lowercase name, alias, id or unambiguous ticker, canonical id), in file order.",
        &words,
    ) + &table(
        "COIN_AMBIGUOUS",
        "(lowercase ambiguous ticker, canonical id), in file order.",
        &ambiguous,
    );
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set"));
    std::fs::write(out.join("coins.rs"), src).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed=index_schema/coins.toml");

    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
