// The fault matrix in headless Chromium: a page importing the package's browser entry, served
// from loopback, calls the simulator (cross-origin, as the README's browser example does).
// Any console error fails a cell, except the lines Chromium itself logs for the failed
// requests the cell injects (cells.mjs `console`, matched exactly, on the cell's endpoint URL);
// so does any page error, unhandled rejection, or the page going away.
import { chromium } from "playwright-core";
import { CELLS } from "./cells.mjs";
import { defineMatrix } from "./driver.mjs";
import { serveStatic } from "./static.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

defineMatrix({
  name: "chromium",
  label: "Chromium",
  async start(simUrl) {
    const server = await serveStatic();
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const events = [];
      page.on("console", (message) => {
        if (message.type() === "error") events.push({ text: message.text(), url: message.location()?.url ?? "" });
      });
      page.on("pageerror", (error) => events.push({ text: `pageerror: ${error.stack ?? error.message}`, url: "" }));
      page.on("crash", () => events.push({ text: "the page crashed", url: "" }));
      page.on("close", () => events.push({ text: "the page closed", url: "" }));
      await page.goto(`${server.url}/faults/page/index.html?sim=${encodeURIComponent(simUrl)}`);
      await page.waitForFunction(() => window.faultMatrix, null, { timeout: 30000 });
      const endpointOf = (cell) => `${simUrl}${cell?.path ?? "/tcb/getfuncconfig"}`;
      return {
        async run(cell, functionName) {
          const started = Date.now();
          const result = await page.evaluate(([id, name]) => window.faultMatrix.run(id, name), [cell.id, functionName]);
          return { ...result, roundTripMs: Date.now() - started };
        },
        async drain(cell) {
          const allowed = cell?.console ?? [];
          const all = events.splice(0);
          const isAllowed = ({ text, url }) => allowed.includes(text) && url.startsWith(endpointOf(cell));
          const found = all.filter((e) => !isAllowed(e));
          this.logged = all.filter(isAllowed).map((e) => e.text);
          const inPage = page.isClosed() ? [] : await page.evaluate(() => window.faultMatrix.drain());
          return [...found.map(({ text, url }) => `${text} ${url}`.trim()), ...inPage];
        },
        async stop() {
          await browser.close();
          await server.stop();
        },
      };
    } catch (error) {
      await browser.close();
      await server.stop();
      throw error;
    }
  },
});

export { CELLS };
