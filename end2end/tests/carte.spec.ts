import { test, expect, Page } from "@playwright/test";

// The demo data set (synthetic territory) is published before these tests run
// (scripts/test.sh). They check what a counselor sees, in Debian's Chromium.

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  return errors;
}

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#map.leaflet-container")).toBeVisible();
}

test("markers and list show the same establishments", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await hydrated(page);
  const status = await page.locator("#map-status").innerText();
  const located = Number(status.match(/^(\d+)/)![1]);
  expect(located).toBeGreaterThan(0);
  await expect(page.locator("path.etab-marker")).toHaveCount(located);

  const rows = page.locator("tr.row");
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) {
    const siret = await rows.nth(i).getAttribute("data-siret");
    // Every listed establishment that has a commune has its marker.
    const commune = (await rows.nth(i).locator(".commune").innerText()).trim();
    if (commune) await expect(page.locator(`path.siret-${siret}`)).toHaveCount(1);
  }
  const total = Number((await page.locator("#list-count").innerText()).match(/^(\d+)/)![1]);
  expect(total).toBeGreaterThanOrEqual(located);
  await page.screenshot({ path: "screenshots/carte.png" });
  expect(errors).toEqual([]);
});

test("a row and a marker open the establishment card", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/");
  await hydrated(page);
  const first = page.locator("tr.row").first();
  const siret = await first.getAttribute("data-siret");
  const name = (await first.locator("th a.etab-link").innerText()).trim();
  await first.locator("th a.etab-link").click();
  await expect(page).toHaveURL(new RegExp(`etab=${siret}`));
  const card = page.locator("#fiche");
  await expect(card.locator("h2")).toHaveText(name);
  await expect(card.locator(".siret")).toHaveText(siret!);
  await page.screenshot({ path: "screenshots/fiche.png" });

  await card.locator("a.close").click();
  await expect(card).toHaveCount(0);

  // Marker click: the card of that marker's establishment.
  const marker = page.locator("path.etab-marker").last();
  const cls = (await marker.getAttribute("class"))!;
  const markerSiret = cls.match(/siret-(\d{14})/)![1];
  await marker.click({ force: true });
  await expect(page).toHaveURL(new RegExp(`etab=${markerSiret}`));
  await expect(page.locator("#fiche .siret")).toHaveText(markerSiret);
  expect(errors).toEqual([]);
});

test("filtering by sector narrows list and map together", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const before = Number((await page.locator("#list-count").innerText()).match(/^(\d+)/)![1]);
  const select = page.locator('select[name="section"]');
  const option = select.locator("option").nth(1);
  const value = (await option.getAttribute("value"))!;
  const expected = Number((await option.innerText()).match(/\((\d+)\)$/)![1]);
  await select.selectOption(value);
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page).toHaveURL(new RegExp(`section=${value}`));
  await expect(page.locator("#list-count")).toContainText(`${expected} établissement`);
  expect(expected).toBeLessThan(before);
  const located = Number((await page.locator("#map-status").innerText()).match(/^(\d+)/)![1]);
  await expect(page.locator("path.etab-marker")).toHaveCount(located);
  expect(located).toBeLessThanOrEqual(expected);
});

test("without JavaScript the list is rendered by the server", async ({ browser, request }) => {
  const html = await (await request.get("/")).text();
  expect(html).toContain('class="row"');
  expect(html).toContain("établissements");

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/?tri=hires");
  const rows = page.locator("tr.row");
  expect(await rows.count()).toBeGreaterThan(0);
  // The card works as a plain link too.
  const siret = await rows.first().getAttribute("data-siret");
  await rows.first().locator("th a.etab-link").click();
  await expect(page.locator("#fiche .siret")).toHaveText(siret!);
  await context.close();
});

test("the method page is docs/methode.md", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/methode");
  await expect(page.locator("article.methode h1")).toContainText("Méthode");
  await expect(page.locator("article.methode")).toContainText("non calculable");
  await expect(page.locator("article.methode table").first()).toBeVisible();
  expect(errors).toEqual([]);
});

test("the list exports as CSV with the current filters", async ({ page, request }) => {
  await page.goto("/?section=I");
  await hydrated(page);
  const count = Number((await page.locator("#list-count").innerText()).match(/^(\d+)/)![1]);
  const href = await page.locator("p.export a[download]").getAttribute("href");
  expect(href).toContain("section=I");
  const res = await request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/csv");
  const body = await res.body();
  // UTF-8 byte-order mark for spreadsheets.
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = body.toString("utf8").slice(1).trim().split("\r\n");
  expect(lines[0]).toContain("SIRET;Nom;");
  expect(lines.length - 1).toBe(count);
  // Bad parameters are a 400 with a French message, never a 500.
  const bad = await request.get("/api/v1/establishments?categorie=xyz");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).erreur).toContain("xyz");
  // A damaged selection link is an error, not the whole list.
  const badSel = await request.get("/api/v1/export.csv?sel=123,abc");
  expect(badSel.status()).toBe(400);
  expect((await badSel.json()).erreur).toContain("aucun SIRET");
  // Unknown API paths answer in JSON.
  const unknown = await request.get("/api/v1/nope");
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).erreur).toContain("openapi.json");
});

test("an ignored filter is left out of the export, print and other links", async ({ page, request }) => {
  for (const [query, bad] of [
    ["categorie=engagees&section=I", "categorie"],
    ["cdi_min=200&section=I", "cdi_min"],
  ]) {
    await page.goto(`/?${query}`);
    await hydrated(page);
    await expect(page.locator(".list-pane .error")).toContainText("Filtre ignoré");
    const links = [
      await page.locator("p.export a[download]").getAttribute("href"),
      await page.locator("p.export a.print-all").getAttribute("href"),
      await page.locator("tr.row a.select-toggle").first().getAttribute("href"),
      await page.locator("th a.sort").first().getAttribute("href"),
    ];
    for (const href of links) {
      expect(href).toContain("section=I");
      expect(href).not.toContain(`${bad}=`);
    }
    const count = Number((await page.locator("#list-count").innerText()).match(/^(\d+)/)![1]);
    const res = await request.get(links[0]!);
    expect(res.status()).toBe(200);
    const lines = (await res.text()).slice(1).trim().split("\r\n");
    expect(lines.length - 1).toBe(count);
  }
});

test("keyboard only: skip link, open a card, Escape closes it", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.keyboard.press("Tab");
  await expect(page.locator("a.skip")).toBeFocused();
  await page.keyboard.press("Enter");
  // From the list, the next Tab stops are the list's links, not the map markers:
  // the three sortable column headers, then the first establishment.
  await page.keyboard.press("Tab");
  await expect(page.locator("th a.sort").first()).toBeFocused();
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  const focused = page.locator("tr.row th a.etab-link").first();
  await expect(focused).toBeFocused();
  const siret = await page.locator("tr.row").first().getAttribute("data-siret");
  await page.keyboard.press("Enter");
  await expect(page.locator("#fiche-titre")).toBeFocused();
  await expect(page.locator("#fiche .siret")).toHaveText(siret!);
  await page.keyboard.press("Escape");
  await expect(page.locator("#fiche")).toHaveCount(0);
  // The focus is back on the row the card was opened from.
  await expect(page.locator(`tr[data-siret="${siret}"] th a.etab-link`)).toBeFocused();
  // Only the navigation link of the current page is marked current.
  await expect(page.locator('[aria-current="page"]')).toHaveCount(1);
});

test("print view: the list with the filters that produced it", async ({ page }) => {
  await page.goto("/?section=I");
  await hydrated(page);
  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".print-summary")).toBeVisible();
  await expect(page.locator(".print-summary")).toContainText("Secteur : I —");
  await expect(page.locator("#map")).toBeHidden();
  await expect(page.locator("tr.row").first()).toBeVisible();
  await page.screenshot({ path: "screenshots/impression.png", fullPage: true });
});

test("print with a card open: the card alone", async ({ page }) => {
  await page.goto("/?section=I");
  await hydrated(page);
  await page.locator("tr.row th a.etab-link").first().click();
  await expect(page.locator("#fiche .siret")).toBeVisible();
  await expect(page.locator("#fiche button.print-card")).toHaveText("Imprimer la fiche");
  await page.emulateMedia({ media: "print" });
  await expect(page.locator("#fiche h2")).toBeVisible();
  await expect(page.locator("#liste")).toBeHidden();
  await expect(page.locator("aside.sidebar")).toBeHidden();
  await expect(page.locator("#fiche .card-tools")).toBeHidden();
  await page.screenshot({ path: "screenshots/impression-fiche.png", fullPage: true });
});

test("welcoming employers: engaged and welcoming bands together", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const select = page.locator('select[name="categorie"]');
  const label = await select.locator('option[value="engagee,accueillante"]').innerText();
  const expected = Number(label.match(/\((\d+)\)$/)![1]);
  await select.selectOption("engagee,accueillante");
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page.locator("#list-count")).toContainText(`${expected} établissement`);
  const badges = await page.locator("tr.row .band").allInnerTexts();
  expect(badges.length).toBeGreaterThan(0);
  for (const b of badges) expect(["Engagée", "Accueillante"]).toContain(b);
});

test("every page has its own title; the 404 page has a heading", async ({ page }) => {
  const titles: string[] = [];
  for (const path of ["/", "/comparer", "/methode", "/imprimer", "/nulle-part"]) {
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const title = await page.title();
    expect(title).toContain("Ancrage");
    titles.push(title);
  }
  expect(new Set(titles).size).toBe(titles.length);
  await expect(page.locator("main h1")).toHaveText("Page introuvable");
  // The map page names the open card.
  await page.goto("/?section=I");
  await hydrated(page);
  const name = (await page.locator("tr.row th a.etab-link").first().innerText()).trim();
  await page.locator("tr.row th a.etab-link").first().click();
  await expect(page.locator("#fiche h2")).toBeVisible();
  await expect(page).toHaveTitle(new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
});
