// The fault matrix in workerd: the package's workerd entry (its .wasm imported as a module,
// bundled by wrangler from pkg/) and one TcbClient at module scope, shared by every request.
//   GET /cell?id=CELL&fn=FUNCTION  runs the cell's call on that function name
//     -> { outcome, ms, isolate, problems }: ms measured here with Date.now() around the call;
//        `isolate` stays the same while this isolate lives; `problems` lists what the module
//        saw go wrong since the previous request (console.error lines, unhandled rejections)
//   GET /health -> { isolate }
// The simulator's URL comes from the SIM_URL var.
import * as lib from "../../../pkg/workerd.js";
import { cellById, makeClient, runCell } from "../cells.mjs";

// Made at the first request (random values are not allowed at global scope).
let isolate;
const problems = [];
let client;

const consoleError = console.error;
console.error = (...args) => {
  problems.push(`console.error: ${args.join(" ")}`);
  consoleError(...args);
};
addEventListener("unhandledrejection", (event) => problems.push(`unhandled rejection: ${event.reason?.stack ?? event.reason}`));

export default {
  async fetch(request, env) {
    isolate ??= crypto.randomUUID();
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ isolate });
    if (url.pathname !== "/cell") return new Response("not found", { status: 404 });
    client ??= makeClient(lib, env.SIM_URL);
    let cell;
    try {
      cell = cellById(url.searchParams.get("id"));
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 400 });
    }
    const { outcome, ms } = await runCell(lib, client, env.SIM_URL, cell, url.searchParams.get("fn") ?? "");
    return Response.json({ outcome, ms, isolate, problems: problems.splice(0) });
  },
};
