import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

// axe-core on every page of the product, once hydrated: no serious or
// critical violation (WCAG 2.1 A/AA rules, the base of the RGAA).

const pages: [string, string][] = [
  ["carte", "/"],
  ["carte avec fiche", "/?etab=FIRST"],
  ["carte filtrée", "/?categorie=engagee%2Caccueillante&tri=score"],
  ["comparer", "/comparer?bassins=A,B"],
  ["imprimer", "/imprimer?categorie=engagee"],
  ["méthode", "/methode"],
];

async function resolve(page: Page, path: string): Promise<string> {
  const basins = await (await page.request.get("/api/v1/basins")).json();
  const list = await (await page.request.get("/api/v1/establishments?par_page=1")).json();
  return path
    .replace("FIRST", list.items[0].siret)
    .replace("A,B", `${basins[0].basin},${basins[1].basin}`);
}

for (const [name, path] of pages) {
  test(`axe: ${name} has no serious or critical violation`, async ({ page }) => {
    await page.goto(await resolve(page, path));
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.waitForLoadState("networkidle");
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const bad = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
    expect(bad).toEqual([]);
  });
}
