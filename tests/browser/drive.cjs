// Drives the search page of a running `coindex serve` in headless Chromium through
// playwright-core, as a reader would: loads a bookmarked search, checks the results
// and the chart, clicks a facet and a bar, types, moves with j/k, opens an article
// with Enter and goes back with Esc, and checks that hostile articles render as text
// and run nothing. Run by tests/browser.rs:
//   node drive.cjs BASE_URL CHROMIUM SCREENSHOT_DIR
// with PLAYWRIGHT_CORE set to playwright-core's folder. Prints one `ok - ...` line per
// check; exits 1 on the first failure.
"use strict";

const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const path = require("path");

const [base, executablePath, shots] = process.argv.slice(2);

function check(cond, what) {
  if (!cond) throw new Error("FAILED: " + what);
  console.log("ok - " + what);
}

async function texts(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent));
}

async function waitResults(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("status").textContent;
    return /result/.test(s) && document.querySelectorAll("#results .hit").length > 0;
  }, null, { timeout: 15000 });
}

(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text()); });
  page.on("dialog", (d) => { problems.push("a dialog opened: " + d.message()); d.dismiss(); });
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push("fetched from elsewhere: " + r.url());
  });

  // 1. a bookmarked search
  await page.goto(base + "/?q=bitcoin&from=2017");
  await waitResults(page);
  check(await page.inputValue("#q") === "bitcoin", "the query box shows q from the URL");
  check(await page.inputValue("#from") === "2017", "the from box shows from= from the URL");
  const dates = await texts(page, "#results .hit time");
  check(dates.length > 0 && dates.every((d) => d >= "2017"), "results respect from=2017 (" + dates.length + " shown)");
  check(await page.locator("#results .hit mark").count() > 0, "snippets have highlighted words");
  await page.waitForSelector("#chart:not([hidden]) svg .bar", { timeout: 15000 });
  const bars = await page.locator("#chart svg .bar").count();
  check(bars > 1, "the timeline chart has " + bars + " bars");
  check(await page.locator("#tags .facet-value").count() > 0, "tag facets are listed with counts");
  await page.screenshot({ path: path.join(shots, "results.png"), fullPage: false });
  console.log("ok - screenshot " + path.join(shots, "results.png"));

  // 2. a tag facet filters
  const facet = page.locator("#tags .facet-value").first();
  const tag = await facet.getAttribute("data-value");
  const want = Number(await facet.locator(".count").textContent());
  await facet.click();
  await page.waitForFunction((t) => new URL(location.href).searchParams.getAll("tag").includes(t), tag);
  await page.waitForFunction((n) => document.getElementById("status").textContent.startsWith(n + " result"), want, { timeout: 15000 });
  const tagLists = await page.$$eval("#results .hit", (hs) => hs.map((h) => Array.from(h.querySelectorAll(".tag")).map((t) => t.textContent)));
  check(tagLists.length > 0, "the tag filter leaves " + want + " results, as its count said");
  check(await page.locator("#chips .chip").count() >= 2, "the active tag shows as a removable chip");
  check(await page.locator("#tags .facet-value.on").count() === 1, "the clicked facet is marked active");

  // 3. a chart bar filters to its period
  await page.goto(base + "/?q=bitcoin");
  await waitResults(page);
  await page.waitForSelector("#chart svg .bar");
  const period = await page.$$eval("#chart svg .bar", (bs) => {
    const b = bs.find((g) => Number(g.querySelector("title").textContent.split(": ")[1]) > 0);
    return b.getAttribute("data-period");
  });
  await page.locator(`#chart svg .bar[data-period="${period}"] .hit-area`).click();
  await page.waitForFunction((p) => new URL(location.href).searchParams.get("from") === p, period);
  await waitResults(page);
  const inBar = await texts(page, "#results .hit time");
  check(inBar.every((d) => d.startsWith(period)), "clicking bar " + period + " filters to it");

  // 4. the keyboard: / focuses, typing searches (stale answers dropped), j/k, Enter, Esc
  await page.goto(base + "/");
  await page.keyboard.press("/");
  check(await page.evaluate(() => document.activeElement.id) === "q", "/ focuses the search box");
  await page.keyboard.type("mining difficulty", { delay: 15 });
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "mining difficulty");
  await waitResults(page);
  const firstTitles = await texts(page, "#results .hit .title");
  const direct = await (await fetch(base + "/api/search?q=mining+difficulty&limit=20")).json();
  check(JSON.stringify(firstTitles) === JSON.stringify(direct.hits.map((h) => h.title || "(untitled)")),
    "results as you type are those of the last query, in the API's order");
  await page.keyboard.press("Escape");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  const sel = await page.$$eval("#results .hit", (hs) => hs.findIndex((h) => h.classList.contains("selected")));
  check(sel === 0, "j j k selects the first result");
  await page.keyboard.press("j");
  const chosen = firstTitles[1];
  await page.keyboard.press("Enter");
  await page.waitForFunction((t) => document.getElementById("a-title").textContent === t, chosen, { timeout: 15000 });
  check(new URL(page.url()).searchParams.get("doc") !== null, "Enter opens the article, and the URL names it");
  check(!(await page.locator("#a-body p").first().textContent()).includes("<"), "the article's clean text is shown");
  check(await page.locator("#a-meta code").first().textContent() !== "", "the article view shows the file path");
  await page.waitForFunction(() => document.querySelectorAll("#a-similar li").length > 0, null, { timeout: 15000 });
  check(await page.locator("#a-similar li a").count() > 0, "similar articles are listed");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.getElementById("article").hidden);
  check(new URL(page.url()).searchParams.get("doc") === null && await page.locator("#results .hit").count() > 0,
    "Esc goes back to the results");

  // 5. a shared link opens the article directly
  const id = direct.hits[0].id;
  await page.goto(base + "/?q=mining+difficulty&doc=" + id);
  await page.waitForFunction((t) => document.getElementById("a-title").textContent === t, direct.hits[0].title, { timeout: 15000 });
  check(true, "a link with doc= opens that article");

  // 6. hostile articles are text
  await page.goto(base + "/?q=hostile");
  await waitResults(page);
  const titles = await texts(page, "#results .hit .title");
  check(titles.some((t) => t.startsWith("<img src=x onerror=")), "a title with markup shows the markup as text");
  check(await page.locator("#results img, #results script, #results .meta svg").count() === 0, "no element was made from article text");
  const tags = await texts(page, "#results .hit .tag");
  check(tags.includes("<svg onload=alert(1)>"), "a hostile tag shows as text");
  await page.locator("#results .hit .title").first().click();
  await page.waitForFunction(() => document.getElementById("a-dek").textContent.includes("<script>"), null, { timeout: 15000 });
  check(await page.locator("#article script, #article img").count() === 0, "the hostile article's dek renders as text");
  await page.goto(base + "/?q=hostile2");
  await waitResults(page);
  check((await texts(page, "#results .snippet")).some((s) => s.includes("<script>")), "a body with <script> renders as text");
  await page.locator("#results .hit .title").first().click();
  await page.waitForFunction(() => document.getElementById("a-body").textContent.includes("<script>"), null, { timeout: 15000 });
  check(await page.evaluate(() => document.scripts.length) === 1, "the only script on the page is app.js");
  check(await page.evaluate(() => window.__pwned === undefined), "no hostile code ran");

  // 7. usable at 360 px
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const small = await phone.newPage();
  await small.goto(base + "/?q=bitcoin");
  await waitResults(small);
  const width = await small.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, "no sideways scrolling at 360 px (page is " + width + " px wide)");
  await small.screenshot({ path: path.join(shots, "results-360.png") });

  check(problems.length === 0, "no script errors, dialogs or outside requests" + (problems.length ? ": " + problems.join("; ") : ""));
  await browser.close();
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
