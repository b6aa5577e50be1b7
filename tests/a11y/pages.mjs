// Visit PolicyHub's key pages in Debian's Chromium: run axe-core on each, save each page's HTML
// as served (for the Nu HTML checker) and screenshots at 1280 px and 390 px.
// Usage: node tests/a11y/pages.mjs BASE_URL OUT_DIR   (ADMIN_USER / ADMIN_PASSWORD for the admin)
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base = "http://127.0.0.1:8041", outDir = "/tmp/policyhub-audit"] = process.argv.slice(2);
const { PAGES } = await import("./pages-list.mjs");

fs.mkdirSync(path.join(outDir, "html"), { recursive: true });
fs.mkdirSync(path.join(outDir, "shots"), { recursive: true });

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const page = await browser.newPage();

async function logIn() {
  await page.goto(`${base}/admin/login/`);
  await page.type("#id_username", process.env.ADMIN_USER || "audit");
  await page.type("#id_password", process.env.ADMIN_PASSWORD || "audit-pass-123");
  await Promise.all([page.waitForNavigation(), page.click("input[type=submit]")]);
}

let blocking = 0;
const report = [];
for (const { name, url, admin } of PAGES) {
  if (admin) await logIn();
  await page.setViewport({ width: 1280, height: 900 });
  const response = await page.goto(base + url, { waitUntil: "load" });
  fs.writeFileSync(path.join(outDir, "html", `${name}.html`), await response.text());
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  const violations = result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
  const serious = violations.filter((v) => ["serious", "critical"].includes(v.impact));
  blocking += serious.length;
  report.push({ name, url, status: response.status(), violations });
  console.log(`axe ${name} ${url}: ${violations.length} violations, ${serious.length} serious/critical`);
  for (const v of violations) console.log(`  [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.join(", ")}`);
  for (const width of [1280, 390]) {
    await page.setViewport({ width, height: width > 800 ? 900 : 844, deviceScaleFactor: 1 });
    await page.goto(base + url, { waitUntil: "load" });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    if (overflow > 0) console.log(`  ${width}px: page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: path.join(outDir, "shots", `${name}-${width}.png`), fullPage: true });
  }
}
fs.writeFileSync(path.join(outDir, "axe.json"), JSON.stringify(report, null, 2));
await browser.close();
process.exit(blocking ? 1 : 0);
