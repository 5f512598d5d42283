// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core: render a report file
// and measure every label. Used by the browser spec; nothing here touches the network.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface LabelProblem {
  readonly kind: "outside-svg" | "overlap" | "overflow" | "page-overflow";
  readonly chart: string;
  readonly text: string;
  readonly detail: string;
}

export interface RenderResult {
  readonly problems: readonly LabelProblem[];
  readonly svgs: number;
  readonly texts: number;
  readonly externalRequests: readonly string[];
}

// Runs in the page (plain JS: the project's tsconfig has no DOM types). Every <text> of every
// <svg> must lie inside its viewBox and overlap no other; no HTML label may be wider than its box.
const CHECK_LABELS = `(() => {
      const problems = [];
      const svgs = [...document.querySelectorAll("svg")];
      let texts = 0;
      for (const svg of svgs) {
        const chart = svg.getAttribute("aria-label") ?? "?";
        const vb = svg.viewBox.baseVal;
        const boxes = [];
        for (const t of [...svg.querySelectorAll("text")]) {
          texts++;
          const b = t.getBBox();
          const text = t.textContent ?? "";
          if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
            problems.push({ kind: "outside-svg", chart, text, detail: \`bbox \${b.x.toFixed(1)},\${b.y.toFixed(1)} \${b.width.toFixed(1)}×\${b.height.toFixed(1)} vs viewBox \${vb.width}×\${vb.height}\` });
          boxes.push({ text, b: new DOMRect(b.x, b.y, b.width, b.height) });
        }
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i].b;
            const c = boxes[j].b;
            const ox = Math.min(a.right, c.right) - Math.max(a.left, c.left);
            const oy = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
            if (ox > 1 && oy > 1) problems.push({ kind: "overlap", chart, text: \`\${boxes[i].text} / \${boxes[j].text}\`, detail: \`overlap \${ox.toFixed(1)}×\${oy.toFixed(1)}\` });
          }
      }
      // HTML: an element whose content is wider than its box clips, spills or scrolls (a table too wide for the page).
      for (const el of [...document.querySelectorAll("figcaption, .legend, .key, p, h1, h2, td, th, li, .scroll")]) {
        const e = el;
        if (e.scrollWidth > e.clientWidth + 1) problems.push({ kind: "overflow", chart: e.tagName.toLowerCase(), text: (e.textContent ?? "").slice(0, 60), detail: \`scrollWidth \${e.scrollWidth} > clientWidth \${e.clientWidth}\` });
      }
      if (document.documentElement.scrollWidth > window.innerWidth) problems.push({ kind: "page-overflow", chart: "page", text: "", detail: \`page \${document.documentElement.scrollWidth} px wide in a \${window.innerWidth} px window\` });
      return { problems, svgs: svgs.length, texts };
    })()`;

/** Open `file` in headless Chromium at `width`, check every label, optionally save a full-page PNG. */
export async function renderAndCheck(file: string, options: { readonly width?: number; readonly screenshot?: string } = {}): Promise<RenderResult> {
  const profile = mkdtempSync(join(tmpdir(), "qf-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: options.width ?? 1000, height: 900 }, offline: true });
  const external: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) external.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const result = (await page.evaluate(CHECK_LABELS)) as { problems: LabelProblem[]; svgs: number; texts: number };
    if (options.screenshot) await page.screenshot({ path: options.screenshot, fullPage: true });
    return { problems: result.problems, svgs: result.svgs, texts: result.texts, externalRequests: external };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
