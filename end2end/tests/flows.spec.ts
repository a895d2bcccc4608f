import { test, expect, Page, APIRequestContext } from "@playwright/test";

// The counselor's and the coordinator's flows of issue 8, on the e2e territory
// published by scripts/test.sh. Expected figures are recomputed here from the
// public JSON API (a simpler path than the pages' server functions).

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

const num = (text: string) => Number(text.match(/(\d+)/)![1]);

type Item = { siret: string; score: number | null; band: string; basin: string | null; basin_label: string | null; hires?: number | null };

async function allItems(request: APIRequestContext, query: string): Promise<Item[]> {
  const res = await request.get(`/api/v1/establishments?par_page=500&${query}`);
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.items.length).toBe(body.total);
  return body.items;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function basinCodes(request: APIRequestContext): Promise<{ basin: string; label: string }[]> {
  const res = await request.get("/api/v1/basins");
  expect(res.status()).toBe(200);
  return await res.json();
}

test("basin search by commune name suggests and applies the basin", async ({ page, request }) => {
  const [first] = await basinCodes(request);
  await page.goto("/");
  await hydrated(page);
  const input = page.locator("#lieu");
  // The basin's own name is a valid search; the suggestions name the basin.
  await input.fill(first.label.slice(0, 5));
  await expect(page.locator("#lieux option").first()).toHaveAttribute("value", /.+/);
  await input.fill(first.label);
  await page.getByRole("button", { name: "Aller" }).click();
  await expect(page).toHaveURL(new RegExp(`bassin=${first.basin}`));
  const expected = (await allItems(request, `bassin=${first.basin}`)).length;
  await expect(page.locator("#list-count")).toContainText(`${expected} établissement`);
  await expect(page.locator('select[name="bassin"]')).toHaveValue(first.basin);
});

test("basin and sector together, then a profile re-ranks the list", async ({ page, request }) => {
  const [first] = await basinCodes(request);
  const items = await allItems(request, `bassin=${first.basin}`);
  expect(items.length).toBeGreaterThan(0);
  await page.goto(`/?bassin=${first.basin}`);
  await hydrated(page);
  const section = page.locator('select[name="section"]');
  const opt = section.locator("option").nth(1);
  const code = (await opt.getAttribute("value"))!;
  await section.selectOption(code);
  await page.locator('select[name="profil"]').selectOption("seniors");
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page).toHaveURL(/profil=seniors/);
  // The API, asked the same question, gives the same establishments in the same order.
  const api = await allItems(request, `bassin=${first.basin}&section=${code}&profil=seniors`);
  await expect(page.locator("#list-count")).toContainText(`${api.length} établissement`);
  expect(api.length).toBeLessThanOrEqual(items.length);
  const shown = await page.locator("tr.row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-siret")));
  expect(shown).toEqual(api.slice(0, shown.length).map((i) => i.siret));
  await expect(page.locator(".print-summary")).toContainText("Profil : Seniors");
});

test("column headers sort the list", async ({ page, request }) => {
  await page.goto("/");
  await hydrated(page);
  await page.locator("th a.sort", { hasText: "Score" }).click();
  await expect(page).toHaveURL(/tri=score/);
  await expect(page.locator('th[aria-sort="descending"]')).toContainText("Score");
  const scores = (await page.locator("tr.row td.col-score").allInnerTexts())
    .filter((t) => /^\d+$/.test(t.trim()))
    .map(Number);
  expect(scores.length).toBeGreaterThan(1);
  for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
  await page.locator("th a.sort", { hasText: "Établissement" }).click();
  await expect(page).toHaveURL(/tri=name/);
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Établissement");
  const names = await page.locator("tr.row th a.etab-link").allInnerTexts();
  const sorted = [...names].sort((a, b) => a.localeCompare(b, "fr", { sensitivity: "base" }));
  expect(names.map((n) => n.toLowerCase())).toEqual(sorted.map((n) => n.toLowerCase()));
});

test("the card explains the score against peers", async ({ page, request }) => {
  const items = await allItems(request, "categorie=engagee");
  expect(items.length).toBeGreaterThan(0);
  await page.goto(`/?etab=${items[0].siret}`);
  await hydrated(page);
  const card = page.locator("#fiche");
  await expect(card.locator(".score-value")).toHaveText(String(Math.round(items[0].score!)));
  await expect(card.locator(".band")).toHaveText("Engagée");
  // Each component against its peers, and what drives the score.
  await expect(card.locator("table.components thead")).toContainText("Médiane des pairs");
  expect(await card.locator("table.components tbody tr").count()).toBeGreaterThan(3);
  await expect(card.locator(".drivers")).toContainText("tire le score vers le haut");
  // Hires by year: one row a year of the declared period; the years shown add
  // up to the total when none is hidden, and never to more.
  const res = await request.get(`/api/v1/establishments/${items[0].siret}`);
  expect(res.status()).toBe(200);
  const detail = await res.json();
  const first = Number(detail.first_month.slice(0, 4));
  const last = Number(detail.last_month.slice(0, 4));
  const rows = card.locator("table.years tbody tr");
  await expect(rows).toHaveCount(last - first + 1);
  let shown = 0, hidden = 0;
  for (let i = 0; i <= last - first; i++) {
    await expect(rows.nth(i).locator("th")).toHaveText(String(first + i));
    const cell = (await rows.nth(i).locator("td").first().innerText()).trim();
    if (cell === "non diffusable") hidden++;
    else shown += Number(cell);
  }
  expect(hidden === 0 || hidden >= 2).toBe(true);
  if (hidden === 0) expect(shown).toBe(items[0].hires);
  else expect(shown).toBeLessThan(items[0].hires!);
  await page.screenshot({ path: "screenshots/fiche-engagee.png" });
});

test("a card without a score lists strengths against peers, not what moves a score", async ({ page, request }) => {
  const all = await allItems(request, "");
  const nc = all.find((i) => i.score === null && (i as any).strengths?.length > 0);
  test.skip(!nc, "no non-calculable establishment with a strength in this territory");
  await page.goto(`/?etab=${nc!.siret}`);
  await hydrated(page);
  const card = page.locator("#fiche");
  await expect(card.locator(".score-value")).toHaveText("n.c.");
  await expect(card.locator(".drivers h3").first()).toHaveText("Points forts par rapport aux employeurs semblables");
  for (const h of await card.locator(".drivers h3").allInnerTexts()) expect(h).not.toContain("score");
  // Units said once in the components' table.
  for (const t of await card.locator("table.components tbody th").allInnerTexts()) {
    expect(t.split("(").length).toBeLessThanOrEqual(2);
  }
});

test("basins are coloured by the chosen metric and a click filters on a basin", async ({ page, request }) => {
  const basins = await basinCodes(request);
  await page.goto("/?couleur=engagees");
  await hydrated(page);
  await expect(page.locator('.metric-switch a[aria-current="true"]')).toContainText("engagés ou accueillants");
  await expect(page.locator(".legend.choropleth li").first()).toBeVisible();
  // One path per basin polygon, filled with a palette colour or the no-data grey.
  await expect(page.locator("path[class*=basin-]").first()).toBeVisible();
  const fills = await page.locator("path[class*=basin-]").evaluateAll((ps) => ps.map((p) => p.getAttribute("fill")));
  const palette = ["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#d9d9d9"];
  await page.screenshot({ path: "screenshots/carte-bassins.png" });
  // Every basin with establishments has its polygon coloured from the palette.
  for (const b of basins) {
    await expect(page.locator(`path.basin-${b.basin}`).first()).toHaveAttribute("fill", new RegExp(palette.join("|")));
  }
  expect(fills.length).toBeGreaterThan(0);
  // A click on a basin filters on it; the list then has that basin's establishments.
  const target = basins[basins.length - 1];
  await page.locator(`path.basin-${target.basin}`).first().dispatchEvent("click");
  await expect(page).toHaveURL(new RegExp(`bassin=${target.basin}`));
  const expected = (await allItems(request, `bassin=${target.basin}`)).length;
  await expect(page.locator("#list-count")).toContainText(`${expected} établissement`);
  await expect(page.locator(`path.basin-${target.basin}`).first()).toHaveAttribute("stroke", "#000");
});

test("compare two basins: totals match the list, charts by sector", async ({ page, request }) => {
  const basins = await basinCodes(request);
  expect(basins.length).toBeGreaterThanOrEqual(2);
  const [a, b] = basins;
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Comparer des bassins" }).click();
  await expect(page).toHaveURL(/\/comparer/);
  await hydrated(page);
  await page.locator('select[name="b1"]').selectOption(a.basin);
  await page.locator('select[name="b2"]').selectOption(b.basin);
  await page.getByRole("button", { name: "Comparer" }).click();
  const table = page.locator("#comparaison");
  await expect(table.locator("thead th")).toHaveText([a.label, b.label]);
  for (const [i, basin] of [a, b].entries()) {
    const items = await allItems(request, `bassin=${basin.basin}`);
    const row = (label: string) => table.locator("tbody tr", { has: page.locator(`th:text-is("${label}")`) }).locator("td").nth(i);
    await expect(row("Établissements")).toHaveText(String(items.length));
    const scores = items.filter((x) => x.score !== null).map((x) => x.score!);
    await expect(row("dont avec un score")).toHaveText(String(scores.length));
    await expect(row("Engagés")).toHaveText(String(items.filter((x) => x.band === "engagee").length));
    if (scores.length) await expect(row("Score médian")).toHaveText(String(Math.round(median(scores))));
  }
  const sectors = page.locator("#par-secteur tbody tr");
  expect(await sectors.count()).toBeGreaterThan(0);
  await expect(sectors.first().locator(".bar-cell").first()).toBeVisible();
  // One basin is not a comparison: a French message, not an error page.
  await page.goto(`/comparer?bassins=${a.basin}`);
  await expect(page.locator(".compare-page [role=alert]")).toContainText("2 à 4 bassins");
  await page.goto(`/comparer?bassins=${a.basin},${b.basin}`);
  await expect(page.locator("#comparaison thead th")).toHaveCount(2);
  await page.screenshot({ path: "screenshots/comparer.png", fullPage: true });
});

test("ma sélection: add, keep in the URL and the browser, print and export it", async ({ page, request }) => {
  await page.goto("/?tri=name");
  await hydrated(page);
  const rows = page.locator("tr.row");
  const s1 = (await rows.nth(0).getAttribute("data-siret"))!;
  const s2 = (await rows.nth(1).getAttribute("data-siret"))!;
  await rows.nth(0).locator("a.select-toggle").click();
  await expect(page).toHaveURL(new RegExp(`sel=${s1}`));
  await rows.nth(1).locator("a.select-toggle").click();
  await expect(page.locator("#selection-titre")).toHaveText("Ma sélection : 2 établissements");
  // Export of the selection: exactly those two.
  const csvHref = await page.locator(".selection-actions a[download]").getAttribute("href");
  const csv = (await (await request.get(csvHref!)).text()).slice(1).trim().split("\r\n");
  expect(csv.slice(1).map((l) => l.split(";")[0]).sort()).toEqual([s1, s2].sort());
  // The browser keeps it: a fresh visit offers to take it up.
  await page.goto("/");
  await hydrated(page);
  await page.locator("a.resume").click();
  await expect(page.locator("#selection-titre")).toHaveText("Ma sélection : 2 établissements");
  // Print page of the selection.
  await page.locator("a.print-selection").click();
  await expect(page).toHaveURL(/\/imprimer\?sel=/);
  await expect(page.locator("tr.print-row")).toHaveCount(2);
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".print-tools")).toBeHidden();
  await expect(page.locator(".print-address").first()).toBeVisible();
  await page.screenshot({ path: "screenshots/imprimer-selection.png", fullPage: true });
});

test("shareable URL: filters, card and page survive reload, back and forward", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const select = page.locator('select[name="categorie"]');
  const label = await select.locator('option[value="engagee,accueillante"]').innerText();
  await select.selectOption("engagee,accueillante");
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page).toHaveURL(/categorie=engagee%2Caccueillante|categorie=engagee,accueillante/);
  await expect(page.locator("#list-count")).toContainText(`${num(label.match(/\((\d+)\)$/)![0])} établissements`);
  const filtered = await page.locator("#list-count").innerText();
  const siret = await page.locator("tr.row").first().getAttribute("data-siret");
  await page.locator("tr.row th a.etab-link").first().click();
  await expect(page.locator("#fiche .siret")).toHaveText(siret!);
  const shared = page.url();
  // Someone else opens the shared address.
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(other.locator("#fiche .siret")).toHaveText(siret!);
  await expect(other.locator("#list-count")).toHaveText(filtered);
  await expect(other.locator('select[name="categorie"]')).toHaveValue("engagee,accueillante");
  await other.close();
  await page.goBack();
  await expect(page.locator("#fiche")).toHaveCount(0);
  await expect(page.locator("#list-count")).toHaveText(filtered);
  await page.goBack();
  await expect(page.locator('select[name="categorie"]')).toHaveValue("");
  await page.goForward();
  await expect(page.locator("#list-count")).toHaveText(filtered);
});

test("keyboard only: sort, page through and select from the list", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter"); // skip link → list
  // Tab to the "Score" header link and sort with Enter.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if ((await page.evaluate(() => document.activeElement?.textContent ?? "")).startsWith("Score")) break;
  }
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/tri=score/);
  const next = page.locator('nav.pager a[rel="next"]');
  if (await next.count()) {
    await next.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/page=2/);
    await expect(page.locator("#list-count")).toContainText("51 à");
  }
  const toggle = page.locator("tr.row a.select-toggle").first();
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/sel=\d{14}/);
});

test("ma sélection: the cap of 60 is said, never silent", async ({ page }) => {
  const fake = Array.from({ length: 61 }, (_, i) => String(90000000000000 + i));
  await page.goto(`/?sel=${fake.join(",")}`);
  await hydrated(page);
  await expect(page.locator("#selection-titre")).toHaveText("Ma sélection : 60 établissements");
  await expect(page.locator(".selection .notice-cap")).toContainText("seuls les 60 premiers");
  const url = page.url();
  const row = page.locator("tr.row").first();
  await row.locator("a.select-toggle").click();
  await expect(row.locator('.select-full[role="status"]')).toContainText("pleine");
  await expect(row.locator(".select-full")).toBeVisible();
  expect(page.url()).toBe(url);
});
