//! Relevance over the sample corpus: a written-down set of queries with the article a
//! human expert would put first (the 42 per-article queries of the expected-facts file
//! plus hand-picked queries for tickers vs names, ERC-20 spellings, addresses, typos,
//! phrases and date scopes). Computes precision@5 (share of the expected articles found
//! in the top 5) and MRR, and fails below the thresholds:
//!
//! - **MRR ≥ 0.90**: with one expected article per query, anything lower means the
//!   right article is regularly not first, which a user notices at once.
//! - **P@5 ≥ 0.95**: the expected article must be on the first screen for all but
//!   about one query in twenty.
//!
//! Failures print the queries that missed, so a ranking change shows what it broke.

mod util;

use serde::Deserialize;
use util::*;

#[derive(Deserialize)]
struct Fact {
    path: String,
    query: String,
}

/// (query, extra flags, expected article path suffix)
const HAND_PICKED: &[(&str, &[&str], &str)] = &[
    ("XBT mt gox", &[], "blockledger/2014/mt-gox-goes-dark.txt"),
    (
        "$BTC halving block",
        &[],
        "chainpost/2024/fourth-halving-block.txt",
    ),
    (
        "₿ fourth halving",
        &[],
        "chainpost/2024/fourth-halving-block.txt",
    ),
    (
        "bitcoin fourth halving",
        &[],
        "chainpost/2024/fourth-halving-block.txt",
    ),
    (
        "ERC20 overflow",
        &[],
        "coinwire/2018/erc20-overflow-bug-exchanges.txt",
    ),
    (
        "erc-20 overflow",
        &[],
        "coinwire/2018/erc20-overflow-bug-exchanges.txt",
    ),
    (
        "\"erc 20\" drain",
        &[],
        "blockledger/2023/erc-20-token-drain.txt",
    ),
    (
        "0x258c18c7a026a6c22db2c89c3618523e820c099d",
        &[],
        "coinwire/2022/harborline-bridge-exploit.txt",
    ),
    (
        "0x258c18c7",
        &[],
        "coinwire/2022/harborline-bridge-exploit.txt",
    ),
    (
        "0xa31fda8c47e0b12c595a70cc395c6f3137466a532357de8c3ab4b0eb73dc9a9e",
        &[],
        "coinwire/2022/harborline-bridge-exploit.txt",
    ),
    (
        "cryptokittes~1",
        &[],
        "chainpost/2017/cryptokitties-clog-ethereum.txt",
    ),
    (
        "cryptokittes",
        &["--fuzzy"],
        "chainpost/2017/cryptokitties-clog-ethereum.txt",
    ),
    (
        "ether merge proof-of-stake",
        &[],
        "blockledger/2022/ethereum-merge-complete.txt",
    ),
    (
        "$ETH merge",
        &[],
        "blockledger/2022/ethereum-merge-complete.txt",
    ),
    (
        "\"blockchain research lab\"",
        &[],
        "blockledger/2017/china-blockchain-lab.txt",
    ),
    (
        "title:dao attacker",
        &[],
        "blockledger/2016/the-dao-drained.txt",
    ),
    (
        "hack published:2014",
        &[],
        "blockledger/2014/mt-gox-goes-dark.txt",
    ),
    (
        "exchange hack tag:japan published:2018",
        &[],
        "blockledger/2018/coincheck-nem-hack.txt",
    ),
    (
        "silk road",
        &["--from", "2013", "--to", "2013"],
        "chainpost/2013/silk-road-seizure.txt",
    ),
];

fn facts() -> Vec<Fact> {
    serde_json::from_str(include_str!("fixtures/sample_corpus_expected.json")).unwrap()
}

fn top_paths(query: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--format", "json", "--limit", "5"];
    args.extend_from_slice(extra);
    let o = search(query, &args);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{query}: {}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn precision_at_5_and_mrr_meet_the_thresholds() {
    let mut cases: Vec<(String, Vec<&str>, String)> = facts()
        .into_iter()
        .map(|f| (f.query, vec![], f.path))
        .collect();
    for (q, extra, want) in HAND_PICKED {
        cases.push((q.to_string(), extra.to_vec(), want.to_string()));
    }
    assert!(cases.len() >= 30);
    let mut rr_sum = 0.0;
    let mut found = 0;
    let mut misses = Vec::new();
    for (q, extra, want) in &cases {
        let top = top_paths(q, extra);
        match top.iter().position(|p| p.ends_with(want.as_str())) {
            Some(i) => {
                found += 1;
                rr_sum += 1.0 / (i as f64 + 1.0);
                if i > 0 {
                    misses.push(format!("{q:?}: expected {want} at rank {}", i + 1));
                }
            }
            None => misses.push(format!("{q:?}: expected {want}, got {top:?}")),
        }
    }
    let n = cases.len() as f64;
    let mrr = rr_sum / n;
    let p5 = found as f64 / n;
    eprintln!(
        "relevance over {} queries: MRR {mrr:.3}, P@5 {p5:.3}",
        cases.len()
    );
    assert!(
        mrr >= 0.90 && p5 >= 0.95,
        "MRR {mrr:.3}, P@5 {p5:.3}\n{}",
        misses.join("\n")
    );
}
