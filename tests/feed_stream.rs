//! RSS and Atom feeds read as streams (issue #23): a streamed feed gives exactly the
//! articles and bad records of the whole read, with the same locators, for RSS 2.0,
//! RSS 1.0, Atom, gzip and a legacy encoding; an oversized item, malformed XML
//! mid-feed, billion laughs and a late encoding switch are bad records or a reported
//! end, never a panic or a lost earlier item; and the CLI indexes a feed larger than
//! `--max-file-mb` completely, upserting only the item that changed on a re-run.

mod util;

use std::io::Write;
use std::path::Path;

use coindex::ingest::{self, Format, IngestOptions, StreamError};
use coindex::model::RawArticle;
use serde_json::Value;
use util::*;

/// A generated RSS 2.0 item, or every 97th one with neither title nor text (a bad
/// record).
fn some_bad(i: usize) -> String {
    if i % 97 == 13 {
        return "<item><description></description></item>\n".to_string();
    }
    rss_item(i)
}

/// A generated RSS 2.0 item: namespaced author and body, categories, entities, CDATA,
/// a summary, a marker word `feedrec{i}x`.
fn rss_item(i: usize) -> String {
    let author = match i % 4 {
        0 => "<dc:creator>Ann Lee</dc:creator>".to_string(),
        1 => format!("<author>desk{i}@chainwire.example (Marit Solberg)</author>"),
        2 => "<dc:creator>Jo Park, Sam Ortiz</dc:creator>".to_string(),
        _ => String::new(),
    };
    format!(
        "<item>\n  <title>Miners move {i} BTC &amp; fees rise – caf\u{e9} report</title>\n  <link>https://chainwire.example/news/{i}</link>\n  <guid isPermaLink=\"false\">cw-{i}</guid>\n  <pubDate>Wed, {:02} Jan 2024 16:05:00 -0500</pubDate>\n  {author}\n  <category>Mining</category><category><![CDATA[Fees & Markets]]></category>\n  <description>Short dek for story {i}.</description>\n  <content:encoded><![CDATA[<p>Hashrate rose as miners moved {i} coins to exchanges.</p><p>Analysts &ldquo;watched&rdquo; flows; marker feedrec{i}x.</p><p>The post Miners move appeared first on Chain Wire.</p>]]></content:encoded>\n</item>\n",
        1 + i % 28
    )
}

fn rss_feed(items: impl Iterator<Item = String>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- generated -->\n<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n<title>Chain Wire &amp; Co</title>\n<link>https://chainwire.example</link>\n<atom:link href=\"https://chainwire.example/feed\" rel=\"self\"/>\n<description>Crypto news</description>\n<image><url>https://chainwire.example/logo.png</url><title>Chain Wire</title></image>\n",
    );
    for it in items {
        xml.push_str(&it);
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

fn atom_feed(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<title type=\"text\">Ledger Notes</title>\n<id>urn:ledger-notes</id>\n<updated>2024-03-01T00:00:00Z</updated>\n",
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<entry>\n<title type=\"html\">Validators &lt;b&gt;exit&lt;/b&gt; queue {i}</title>\n<id>https://ledger.example/{i}</id>\n<link rel=\"alternate\" href=\"https://ledger.example/posts/{i}\"/>\n<link rel=\"replies\" href=\"https://ledger.example/posts/{i}#comments\"/>\n<published>2024-02-{:02}T10:00:00Z</published>\n<updated>2024-02-{:02}T12:30:00Z</updated>\n<author><name>Kim Osei</name></author>\n<category term=\"staking\" label=\"Staking\"/>\n<summary>Queue {i} summary.</summary>\n<content type=\"html\">&lt;p&gt;The exit queue grew to {i} validators.&lt;/p&gt;</content>\n</entry>\n",
            1 + i % 28,
            1 + i % 28
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

fn rdf_feed(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel rdf:about=\"https://block.example/\"><title>Block Digest</title><link>https://block.example/</link><description>d</description></channel>\n",
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<item rdf:about=\"https://block.example/{i}\"><title>Digest {i}</title><link>https://block.example/{i}</link><dc:date>2024-01-{:02}T08:00:00Z</dc:date><dc:creator>Lee Wong</dc:creator><description>Block digest number {i}.</description></item>\n",
            1 + i % 28
        ));
    }
    xml.push_str("</rdf:RDF>\n");
    xml
}

/// The streamed reading of `path`: its articles and bad records, or the skip reason.
fn streamed(path: &Path) -> Result<(Vec<RawArticle>, Vec<String>), String> {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    let opts = IngestOptions::default();
    let end = ingest::stream_records(path, Format::Feed, &opts, &mut |rec, _size, _read| {
        match rec {
            Ok(a) => articles.push(a),
            Err(e) => errors.push(e),
        }
        true
    });
    match end {
        Ok(end) => {
            assert!(!end.stopped);
            assert_eq!(
                end.hash,
                ingest::hash_file(path).unwrap(),
                "the whole file is hashed"
            );
            Ok((articles, errors))
        }
        Err(StreamError::Skip(r) | StreamError::Read(r)) => Err(r),
    }
}

/// The whole-file reading of `path`: the feed parser on its decoded text, as the
/// indexer reads a small feed.
fn whole(path: &Path) -> (Vec<RawArticle>, Vec<String>) {
    let opts = IngestOptions {
        max_file_bytes: 1 << 30,
        ..Default::default()
    };
    let bytes = ingest::read_bytes(path, &opts).unwrap();
    let text = ingest::read_text(path, &bytes, &opts).unwrap();
    let p = ingest::parse_text(Format::Feed, &text, &opts).unwrap();
    (p.articles, p.record_errors)
}

fn assert_same(path: &Path, articles: usize, errors: usize) {
    let (wa, we) = whole(path);
    let (sa, se) = streamed(path).unwrap();
    assert_eq!(wa.len(), articles, "{}", path.display());
    assert_eq!(we.len(), errors, "{we:?}");
    assert_eq!(sa.len(), wa.len(), "{}: {se:?}", path.display());
    for (s, w) in sa.iter().zip(&wa) {
        assert_eq!(s, w);
    }
    assert_eq!(se, we);
}

#[test]
fn a_streamed_feed_gives_the_articles_of_the_whole_read() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 3000;
    let rss = rss_feed((0..n).map(some_bad));
    let bad = (0..n).filter(|i| i % 97 == 13).count();
    let p = tmp.path().join("wire.rss");
    std::fs::write(&p, &rss).unwrap();
    assert_same(&p, n - bad, bad);
    let (sa, se) = streamed(&p).unwrap();
    assert_eq!(sa[0].source.as_deref(), Some("Chain Wire & Co"));
    assert_eq!(sa[0].locator.as_deref(), Some("item 1"));
    assert_eq!(sa.last().unwrap().locator.as_deref(), Some("item 3000"));
    assert_eq!(se[0], "item 14: no title and no body");

    // gzipped
    let gz = tmp.path().join("wire.xml.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(rss.as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let (ga, _) = streamed(&gz).unwrap();
    assert_eq!(ga, sa);

    let atom = tmp.path().join("ledger.atom");
    std::fs::write(&atom, atom_feed(1200)).unwrap();
    assert_same(&atom, 1200, 0);
    let (aa, _) = streamed(&atom).unwrap();
    assert_eq!(aa[7].locator.as_deref(), Some("entry 8"));
    assert_eq!(aa[7].url.as_deref(), Some("https://ledger.example/posts/7"));
    assert!(aa[7].updated.is_some());

    let rdf = tmp.path().join("digest.rdf");
    std::fs::write(&rdf, rdf_feed(800)).unwrap();
    assert_same(&rdf, 800, 0);
}

/// A feed in windows-1252 (declared ISO-8859-1, as old CMSs write them) and one in
/// UTF-16 with a BOM read the same streamed and whole.
#[test]
fn legacy_and_utf16_feeds_stream_as_they_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let rss = rss_feed((0..400).map(some_bad))
        .replace("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"")
        .replace('–', "-");
    let (latin, _, bad) = encoding_rs::WINDOWS_1252.encode(&rss);
    assert!(!bad);
    assert!(std::str::from_utf8(&latin).is_err());
    let p = tmp.path().join("latin.xml");
    std::fs::write(&p, &latin).unwrap();
    assert_same(&p, 400 - 4, 4);
    let (sa, _) = streamed(&p).unwrap();
    assert!(sa[0].title.as_deref().unwrap().contains("café report"));

    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(
        rss_feed((0..50).map(rss_item))
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let p = tmp.path().join("wide.rss");
    std::fs::write(&p, &utf16).unwrap();
    assert_same(&p, 50, 0);
}

/// An item over the per-record limit is one bad record with its locator; the items
/// around it are read.
#[test]
fn an_oversized_item_is_a_bad_record_and_the_feed_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let mut huge = String::from("<item><title>Huge</title><description>");
    while huge.len() < (17 << 20) {
        huge.push_str("&lt;p&gt;Padding paragraph about block space and fee markets.&lt;/p&gt;\n");
    }
    huge.push_str("</description></item>\n");
    let items = vec![rss_item(0), huge, rss_item(2)];
    let p = tmp.path().join("huge.rss");
    std::fs::write(&p, rss_feed(items.into_iter())).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    let locs: Vec<_> = sa.iter().map(|a| a.locator.clone().unwrap()).collect();
    assert_eq!(locs, ["item 1", "item 3"]);
    assert_eq!(se, ["item 2: record is larger than 16 MB"]);

    // a text run with no markup for more than the limit ends the read, reported
    let mut runaway = rss_feed((0..3).map(rss_item));
    runaway.truncate(runaway.len() - "</channel>\n</rss>\n".len());
    runaway.push_str("<item><title>Run");
    runaway.push_str(&"a".repeat(18 << 20));
    let p = tmp.path().join("runaway.rss");
    std::fs::write(&p, runaway).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    assert_eq!(sa.len(), 3);
    assert_eq!(se.len(), 1, "{se:?}");
    assert!(se[0].contains("record is larger than 16 MB"), "{se:?}");
    assert!(
        se[0].contains("the rest of the file was not read"),
        "{se:?}"
    );
}

/// Malformed XML in the middle: the items before it are kept and the error is the
/// file's last bad record; malformed from the start, the file is skipped with a reason.
#[test]
fn malformed_xml_mid_feed_keeps_the_items_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut items: Vec<String> = (0..50).map(rss_item).collect();
    items[30] = "<item><title>Broken</titel><description>x</description></item>\n".to_string();
    let p = tmp.path().join("broken.rss");
    std::fs::write(&p, rss_feed(items.into_iter())).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    assert_eq!(sa.len(), 30);
    assert_eq!(sa[29].locator.as_deref(), Some("item 30"));
    assert_eq!(se.len(), 1, "{se:?}");
    assert!(se[0].starts_with("invalid XML at byte "), "{se:?}");
    assert!(se[0].contains("the items before it are kept"), "{se:?}");

    // cut off in the middle of an item
    let rss = rss_feed((0..20).map(rss_item));
    let p = tmp.path().join("cut.rss");
    std::fs::write(&p, &rss.as_bytes()[..rss.len() * 3 / 4]).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    assert!(sa.len() >= 10 && sa.len() < 20, "{}", sa.len());
    assert_eq!(se.len(), 1, "{se:?}");
    assert!(
        se[0].contains("the rest of the file was not read"),
        "{se:?}"
    );

    let p = tmp.path().join("garbage.rss");
    std::fs::write(&p, "<rss version=\"2.0\"><channel><title>T</title><<<<").unwrap();
    let reason = streamed(&p).unwrap_err();
    assert!(reason.starts_with("invalid feed: "), "{reason}");
    let p = tmp.path().join("page.xml");
    std::fs::write(&p, "<?xml version=\"1.0\"?><html><body>x</body></html>").unwrap();
    let reason = streamed(&p).unwrap_err();
    assert!(
        reason.contains("is not <rss>, <feed> or <rdf:RDF>"),
        "{reason}"
    );
}

/// Entities declared in the DOCTYPE are not expanded in a streamed feed either; a
/// later XML declaration switching the encoding is neither a panic nor a lost item.
#[test]
fn hostile_feeds_stream_without_expansion_or_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dtd = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>");
    let mut items: Vec<String> = (0..20).map(rss_item).collect();
    items[3] =
        "<item><title>Laughs</title><description>&lol9; &lol9;</description></item>\n".to_string();
    let rss = rss_feed(items.into_iter()).replacen("<!-- generated -->", &dtd, 1);
    let p = tmp.path().join("laughs.rss");
    std::fs::write(&p, &rss).unwrap();
    assert_same(&p, 20, 0);
    let (sa, _) = streamed(&p).unwrap();
    assert_eq!(sa[3].title.as_deref(), Some("Laughs"));
    assert!(sa[3].body.len() < 100, "{}", sa[3].body);

    // a prolog over 1 MB (a long comment before the root) is not kept: the items and
    // the title are read all the same; a channel header over 1 MB loses only the title
    let rss = rss_feed((0..30).map(rss_item));
    let long = format!("<!--{}-->", "x".repeat(3 << 19));
    let p = tmp.path().join("long-prolog.rss");
    std::fs::write(&p, rss.replacen("<!-- generated -->", &long, 1)).unwrap();
    assert_same(&p, 30, 0);
    let p = tmp.path().join("long-header.rss");
    let big = format!("<description>{}</description>\n<item>", "y".repeat(3 << 19));
    std::fs::write(&p, rss.replacen("<item>", &big, 1)).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    let (wa, _) = whole(&p);
    assert!(se.is_empty(), "{se:?}");
    assert_eq!(sa.len(), 30);
    for (s, w) in sa.iter().zip(&wa) {
        assert_eq!(s.source, None);
        assert_eq!((&s.title, &s.body, &s.url), (&w.title, &w.body, &w.url));
    }

    let mut items: Vec<String> = (0..10).map(rss_item).collect();
    items[5] = "<item><title>Switch<?xml version=\"1.0\" encoding=\"UTF-16\"?></title><description>x</description></item>\n".to_string();
    let p = tmp.path().join("switch.rss");
    std::fs::write(&p, rss_feed(items.into_iter())).unwrap();
    let (sa, se) = streamed(&p).unwrap();
    assert_eq!(sa.len() + se.len(), 10, "{se:?}");
    assert!(sa.len() >= 9);
}

/// The feed written for the CLI test (~1 KB an item), with item `edited` changed.
fn cli_feed(n: usize, edited: Option<usize>) -> String {
    rss_feed((0..n).map(|i| {
        let mut it = rss_item(i);
        if Some(i) == edited {
            it = it.replace("Hashrate rose", "Hashrate fell sharply");
        }
        it
    }))
}

fn index(corpus: &Path, idx: &Path, rep: &Path) -> Value {
    let o = cmd()
        .args([
            "index",
            corpus.to_str().unwrap(),
            "--index",
            idx.to_str().unwrap(),
            "--max-file-mb",
            "1",
            "--report",
            rep.to_str().unwrap(),
            "-q",
        ])
        .output()
        .unwrap();
    assert_code(&o, 0);
    serde_json::from_slice(&std::fs::read(rep).unwrap()).unwrap()
}

fn count(idx: &Path, q: &str) -> String {
    let o = run(&["count", q, "--index", idx.to_str().unwrap()]);
    stdout(&o).trim().to_string()
}

/// A feed over `--max-file-mb` is streamed, not skipped: every item is indexed; a
/// re-run after one item changed upserts only that item; an unchanged re-run reads
/// nothing.
#[test]
fn a_feed_over_the_size_limit_is_indexed_whole_and_rereads_upsert_one_item() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("feeds");
    std::fs::create_dir_all(&corpus).unwrap();
    let idx = tmp.path().join("ix");
    let rep = tmp.path().join("r.json");
    let n = 14_000;
    let file = corpus.join("wire-archive.xml");
    std::fs::write(&file, cli_feed(n, None)).unwrap();
    // streamed whatever the limit (over 8 MB), and far over `--max-file-mb 1`
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > ingest::stream::STREAM_MIN_BYTES, "{size}");

    let r = index(&corpus, &idx, &rep);
    assert_eq!(r["documents_indexed"], n as u64, "{r}");
    assert_eq!(r["new"], 1, "{r}");
    assert_eq!(r["record_errors"], 0, "{r}");
    for probe in ["feedrec0x", "feedrec1234x", "feedrec13999x"] {
        assert_eq!(count(&idx, probe), "1", "{probe}");
    }

    let r = index(&corpus, &idx, &rep);
    assert_eq!(
        (r["unchanged"].as_u64(), r["documents_indexed"].as_u64()),
        (Some(1), Some(0))
    );

    std::fs::write(&file, cli_feed(n, Some(1234))).unwrap();
    let r = index(&corpus, &idx, &rep);
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(r["documents_indexed"], 1, "only the changed item: {r}");
    assert_eq!(r["documents_removed"], 1, "its old copy: {r}");
    assert_eq!(count(&idx, "\"hashrate fell sharply\""), "1");
    assert_eq!(count(&idx, "feedrec1234x"), "1");
    let o = run(&[
        "stats",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["documents"], n as u64);
}

/// Every feed fixture of the repository streams as it reads whole: the same articles
/// and bad records when the whole read succeeds, and no panic when it does not.
#[test]
fn the_feed_fixtures_stream_as_they_read_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut compared = 0;
    for dir in ["formats", "hostile"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["xml", "rss", "atom", "rdf"].contains(&ext) {
                continue;
            }
            let opts = IngestOptions::default();
            let bytes = ingest::read_bytes(&path, &opts).unwrap();
            let text = ingest::read_text(&path, &bytes, &opts).unwrap();
            let whole = ingest::parse_text(Format::Feed, &text, &opts);
            let streamed = streamed(&path);
            match (whole, streamed) {
                (Ok(w), Ok((sa, se))) if !w.articles.is_empty() => {
                    assert_eq!(sa, w.articles, "{}", path.display());
                    assert_eq!(se, w.record_errors, "{}", path.display());
                    compared += 1;
                }
                // not a feed, or broken: a skip or bad records, never a panic
                _ => {}
            }
        }
    }
    assert!(compared >= 5, "{compared} fixtures compared");
}

/// A commit beyond the first (intermediate commits write deltas).
fn later_manifests(idx: &Path) -> usize {
    std::fs::read_dir(idx)
        .map(|r| {
            r.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    n.starts_with("coindex-manifest.")
                        && n.ends_with(".json.zst")
                        && n != "coindex-manifest.1.json.zst"
                        && n != "coindex-manifest.1.delta.json.zst"
                })
                .count()
        })
        .unwrap_or(0)
}

/// Killed with SIGKILL in the middle of a streamed feed, the next run upserts exactly
/// the items the killed run had not committed: no duplicate, no loss.
#[test]
fn sigkill_in_the_middle_of_a_streamed_feed_is_recovered_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("feeds");
    std::fs::create_dir_all(&corpus).unwrap();
    let idx = tmp.path().join("ix");
    let rep = tmp.path().join("r.json");
    let n = 14_000;
    std::fs::write(corpus.join("wire.rss"), cli_feed(n, None)).unwrap();
    let mut child = cmd()
        .args([
            "index",
            corpus.to_str().unwrap(),
            "--index",
            idx.to_str().unwrap(),
        ])
        .args(["--commit-every", "300", "--max-file-mb", "1", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while later_manifests(&idx) == 0 {
        assert!(start.elapsed().as_secs() < 120, "no periodic commit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success(), "killed before the end");
    let o = run(&[
        "stats",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mid = v["documents"].as_u64().unwrap();
    assert!(
        mid > 0 && mid < n as u64,
        "killed mid-feed: {mid} documents"
    );

    let r = index(&corpus, &idx, &rep);
    assert_eq!(r["documents_indexed"], n as u64 - mid, "{r}");
    assert_eq!(r["documents_removed"], 0, "{r}");
    for probe in ["feedrec0x", "feedrec13999x"] {
        assert_eq!(count(&idx, probe), "1", "{probe}");
    }
    let o = run(&[
        "stats",
        "--index",
        idx.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["documents"], n as u64);
}

/// Which files take the streamed path: feeds (by extension, sniffed) over the
/// threshold or gzipped; XHTML saved as `.xml` is read whole as a page.
#[test]
fn big_and_gzipped_feeds_are_streamed_and_xhtml_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = IngestOptions {
        max_file_bytes: 1 << 20,
        ..Default::default()
    };
    let feed = rss_feed((0..3).map(rss_item));
    let xhtml = "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>rss and feed</p></body></html>";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(feed.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let cases: [(&str, &[u8], u64, Option<Format>); 6] = [
        ("a.rss", feed.as_bytes(), 2 << 20, Some(Format::Feed)),
        ("a.xml", feed.as_bytes(), 2 << 20, Some(Format::Feed)),
        ("a.atom", feed.as_bytes(), 1 << 10, None),
        ("page.xml", xhtml.as_bytes(), 2 << 20, None),
        ("a.rss.gz", &gz, 1 << 10, Some(Format::Feed)),
        ("a.txt", feed.as_bytes(), 2 << 20, None),
    ];
    for (name, bytes, size, want) in cases {
        let p = tmp.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        assert_eq!(ingest::stream_format(&p, size, &opts), want, "{name}");
    }
}
