import { test, expect, Page } from "@playwright/test";

// Issue 8 §9: desktop first, usable on a tablet. The same page at the two
// usual tablet sizes: nothing wider than the screen, map and list both shown,
// a row opens the card and the card fits the screen, filters still apply.

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#map.leaflet-container")).toBeVisible();
}

for (const [name, width, height] of [
  ["landscape", 1024, 768],
  ["portrait", 768, 1024],
] as const) {
  test(`tablet ${name} ${width}×${height}: map, list and card fit the screen`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto("/");
    await hydrated(page);
    // No horizontal scrolling of the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The map is big enough to use and the list is there, rows readable.
    const map = (await page.locator("#map").boundingBox())!;
    expect(map.width).toBeGreaterThanOrEqual(width * 0.5);
    expect(map.height).toBeGreaterThanOrEqual(300);
    const row = page.locator("tr.row").first();
    await row.scrollIntoViewIfNeeded();
    await expect(row).toBeVisible();
    const rowBox = (await row.boundingBox())!;
    expect(rowBox.x).toBeGreaterThanOrEqual(0);
    expect(rowBox.x + rowBox.width).toBeLessThanOrEqual(width + 1);

    // A tap on a row's name opens the card, entirely within the screen's width.
    const siret = await row.getAttribute("data-siret");
    await row.locator("th a.etab-link").click();
    await expect(page).toHaveURL(new RegExp(`etab=${siret}`));
    const card = page.locator("#fiche");
    await expect(card).toBeVisible();
    const box = (await card.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width + 1);
    await page.screenshot({ path: `screenshots/tablette-${name}.png` });
  });
}

test("tablet 1024×768: adding to ma sélection and paging keep the scroll position", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto("/");
  await hydrated(page);
  // Down the page, to a row of the list.
  const row = page.locator("tr.row").nth(5);
  await row.scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, 100));
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(0);
  await row.locator("a.select-toggle").click();
  await expect(page).toHaveURL(/sel=\d{14}/);
  await expect(page.locator("#selection-titre")).toHaveText("Ma sélection : 1 établissement");
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.scrollY)).toBe(before);
  // Opening the card from the row and closing it with Escape: still there.
  await row.locator("th a.etab-link").click();
  await expect(page.locator("#fiche-titre")).toBeFocused();
  expect(await page.evaluate(() => window.scrollY)).toBe(before);
  await page.keyboard.press("Escape");
  await expect(page.locator("#fiche")).toHaveCount(0);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.scrollY)).toBe(before);

  const next = page.locator('nav.pager a[rel="next"]');
  if (await next.count()) {
    await next.scrollIntoViewIfNeeded();
    const y = await page.evaluate(() => window.scrollY);
    await next.click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.locator("#list-count")).toContainText("51 à");
    await page.waitForTimeout(300);
    // Not back to the top: still at the pager (page 2's rows may be a little
    // shorter or taller than page 1's).
    const after = await page.evaluate(() => window.scrollY);
    expect(Math.abs(after - y)).toBeLessThan(400);
    await expect(page.locator('nav.pager a[rel="prev"]')).toBeInViewport();
  }
});
