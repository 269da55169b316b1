//! A query compiled and run against a small real index (`search::Engine`): tiers,
//! prefixes (regex), fuzzy terms, phrases, date ranges, snippets and highlights.
#![no_main]

use std::sync::OnceLock;

use coindex::index;
use coindex::model::RawArticle;
use coindex::normalize::{NormalizeOptions, normalize};
use coindex::search::{Engine, Filters, SearchRequest, Sort};
use libfuzzer_sys::fuzz_target;
use tantivy::{IndexWriter, TantivyDocument};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "coindex-fuzz-index-{}",
            std::process::id()
        ));
        let opened = index::open_or_create(&dir, true).expect("index");
        let mut w: IndexWriter<TantivyDocument> = opened
            .index
            .writer_with_num_threads(1, 50_000_000)
            .expect("writer");
        let opts = NormalizeOptions {
            timezone: chrono_tz::America::New_York,
        };
        let docs = [
            ("SEC Approves Spot Bitcoin ETFs", "The agency approved 11 spot bitcoin ETFs on Wednesday. BTC rose 3.5% to $46,000.", "2024-01-10T21:05:00Z", "https://blockledger.example/etf"),
            ("Mt. Gox Goes Dark", "The Tokyo exchange took its website offline; 744,000 BTC are missing. Hash 0x7a3f9c2e.", "2014-02-25T07:20:00Z", "https://blockledger.example/gox"),
            ("Ethereum Merge Complete", "Ether moved to proof of stake. ERC-20 tokens, $ETH and validators: \"the merge\" shipped.", "2022-09-15T06:43:00Z", "https://coinwire.example/merge"),
            ("Solana Outage Lasts 17 Hours", "SOL validators restarted the network after an outage. Solana's hashrate is not a thing.", "2021-09-14T12:00:00Z", "https://chainpost.example/sol"),
        ];
        for (title, body, date, url) in docs {
            let raw = RawArticle {
                title: Some(title.into()),
                body: body.into(),
                published: Some(date.into()),
                url: Some(url.into()),
                tags: vec!["markets".into(), "etfs".into()],
                authors: vec!["Dana Whitfield".into()],
                ..Default::default()
            };
            let a = normalize(raw, "/news/x.txt", "news", &opts).expect("article");
            w.add_document(index::to_document(&a, &opened.fields))
                .expect("add");
        }
        w.commit().expect("commit");
        drop(w);
        Engine::open(&dir).expect("engine")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let query = String::from_utf8_lossy(rest).into_owned();
    let req = SearchRequest {
        query,
        filters: Filters::default(),
        limit: 1 + usize::from(flags >> 4),
        sort: if flags & 1 == 0 {
            Sort::Relevance
        } else {
            Sort::Date
        },
        fuzzy: flags & 2 != 0,
        recent: flags & 4 != 0,
        snippets: 1 + usize::from(flags & 8 != 0),
        snippet_len: 160,
        timezone: chrono_tz::America::New_York,
    };
    let _ = engine().search(&req);
});
