// Drives the owner's console in Debian's headless Chromium through playwright-core: signs in
// as an owner, adds an item (a bad GTIN first), retires it, lists orders and stock, edits a
// recipe's row, holds a lot through its confirmation page, recalls, and as a clerk is refused
// a change; screenshots at phone and laptop width.
// Usage: node console.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { join } from "node:path";

const [base, shots] = process.argv.slice(2);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const sizes = { phone: { width: 390, height: 844 }, laptop: { width: 1280, height: 800 } };
async function shoot(page, name) {
  for (const [label, size] of Object.entries(sizes)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(shots, `console-${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(sizes.laptop);
}
async function signIn(page, name, password) {
  await page.goto(`${base}/items`);
  check(page.url().includes("/login?next=%2Fitems"), `to the sign-in: ${page.url()}`);
  await page.fill("form[action='/login'] input[name=name]", name);
  await page.fill("input[name=password]", password);
  await page.click("button:has-text('Sign in')");
  await page.waitForURL(`${base}/items`);
}
try {
  const owner = await (await browser.newContext()).newPage();
  await signIn(owner, "rosa", "lavender fields");
  await shoot(owner, "sign-in-done");
  // a bad GTIN: the importer's words, the form kept
  await owner.fill("#item-form input[name=sku]", "CANDLE");
  await owner.fill("#item-form input[name=name]", "Beeswax candle <small>");
  await owner.fill("#item-form input[name=kind]", "product");
  await owner.fill("#item-form input[name=unit]", "each");
  await owner.fill("#item-form input[name=gtin]", "12345");
  await owner.click("#item-form button");
  const error = await owner.locator("p.error").textContent();
  check(error.includes("column gtin"), `the GTIN's error: ${error}`);
  check((await owner.inputValue("#item-form input[name=name]")) === "Beeswax candle <small>", "the form kept");
  console.log("ERROR " + error);
  await owner.fill("#item-form input[name=gtin]", "");
  await owner.click("#item-form button");
  await owner.waitForURL(/saved=CANDLE/);
  const row = owner.locator("tr", { hasText: "CANDLE" });
  check((await row.textContent()).includes("Beeswax candle <small>"), "the name shows as text");
  await shoot(owner, "items");
  await row.locator("button:has-text('retire')").click();
  await owner.locator("tr", { hasText: "CANDLE" }).filter({ hasText: "retired" }).waitFor({ timeout: 15000 });
  console.log("RETIRED CANDLE");
  await owner.goto(`${base}/orders`);
  await owner.locator("td", { hasText: "Jo Smith (C001)" }).first().waitFor({ timeout: 15000 });
  await shoot(owner, "orders");
  await owner.goto(`${base}/stock`);
  await shoot(owner, "stock");
  // a CSV with a bad row: its line and column, nothing imported
  await owner.goto(`${base}/import`);
  const suppliers = owner.locator("form[action='/import/suppliers']");
  await suppliers.locator("input[type=file]").setInputFiles({
    name: "suppliers.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("code,name,contact,email,phone\nHIVE,Hive Wax Co,,,\n,No code,,,\n"),
  });
  await suppliers.locator("button").click();
  const bad = await owner.locator("p.error").first().textContent();
  check(bad.includes("suppliers.csv line 3"), `the bad row's line: ${bad}`);
  console.log("IMPORT " + bad);
  await shoot(owner, "import");
  // a recipe edited as a table: its rows in the form, one changed, saved
  await owner.goto(`${base}/recipes?edit=SOAP`);
  const recipe = owner.locator("#recipe-table");
  check((await recipe.locator("input[name=product_sku]").inputValue()) === "SOAP", "the recipe in the form");
  check((await recipe.locator("input[aria-label='material of row 1']").inputValue()) === "BLEND", "its first row");
  await recipe.locator("input[aria-label='quantity of row 1']").fill("120");
  await recipe.locator("button").click();
  await owner.waitForURL(/saved=SOAP/);
  check((await owner.locator("section.recipe", { hasText: "(SOAP)" }).textContent()).includes("120 g"), "the row saved");
  console.log("RECIPE SAVED");
  await shoot(owner, "recipes");
  // a lot's page; a hold asks first, on a page that says what it will do
  const lot = process.env.LOT;
  await owner.goto(`${base}/lot/${lot}`);
  check((await owner.textContent("h1")) === `Lot ${lot}`, "the lot's page");
  await shoot(owner, "lot");
  const hold = owner.locator("form.change", { hasText: "Hold" });
  await hold.locator("input[name=reason]").fill("smells off");
  await hold.locator("button").click();
  check((await owner.textContent("body")).includes("On hold, no bench takes it"), "the hold's confirmation");
  await shoot(owner, "hold-confirm");
  await owner.click("button.danger");
  await owner.waitForURL(/done=/);
  check((await owner.textContent("body")).includes("hold (smells off)"), "the lot is held, with its reason");
  console.log("HELD " + lot);
  // a drill's package, then a real recall through its confirmation page
  const drill = await owner.request.get(`${base}/api/recall/${lot}?format=json`);
  check(drill.ok(), `the drill: ${drill.status()}`);
  await owner.goto(`${base}/recall/confirm?code=${lot}`);
  check((await owner.textContent("body")).includes(`A real recall of lot ${lot} will:`), "the confirmation page");
  await shoot(owner, "recall-confirm");
  await owner.fill("input[name=hazard]", "may contain an allergen not on the label");
  await owner.fill("input[name=remedy]", "a full refund");
  await owner.click("button.danger");
  await owner.locator("text=is recalled").waitFor({ timeout: 15000 });
  console.log("RECALLED " + lot);
  console.log("OWNER DONE");

  // a clerk: no item form, and a change sent anyway is refused
  const clerk = await (await browser.newContext()).newPage();
  await signIn(clerk, "ana", "rosemary hills");
  check((await clerk.locator("text=Add or change an item").count()) === 0, "no form for a clerk");
  const status = await clerk.evaluate(async () => {
    const csrf = document.querySelector('meta[name="csrf"]').content;
    const body = new URLSearchParams({ csrf, sku: "X", name: "X", kind: "product", unit: "each" });
    const r = await fetch("/items", { method: "POST", body });
    return r.status;
  });
  check(status === 403, `a clerk's item is refused: ${status}`);
  console.log("CLERK REFUSED " + status);
  console.log("DONE");
} finally {
  await browser.close();
}
