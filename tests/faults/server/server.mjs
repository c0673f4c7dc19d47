// The fault matrix in Deno and Bun: this file runs inside the runtime under test (`deno run` or
// `bun`), loads the package's entry for that runtime (Deno: deno.js; Bun: node.js, as its
// export conditions pick) and keeps one TcbClient for every cell. It answers on loopback, like
// the Worker of ../worker/:
//   GET /cell?id=CELL&fn=FUNCTION  runs the cell's call on that function name
//     -> { outcome, ms, problems }: ms measured here with Date.now() around the call; `problems`
//        lists what went wrong in the runtime since the previous request (console.error lines,
//        unhandled rejections, uncaught exceptions)
//   GET /health -> { runtime, version }
// The simulator's URL comes from SIM_URL. Once listening it prints `listening PORT`.
import { cellById, makeClient, runCell } from "../cells.mjs";

const deno = globalThis.Deno;
const runtime = deno ? "deno" : globalThis.Bun ? "bun" : null;
if (!runtime) throw new Error("run this file with deno or bun");
const lib = await import(deno ? "../../../pkg/deno.js" : "../../../pkg/node.js");
const simUrl = process.env.SIM_URL;
const client = makeClient(lib, simUrl);

const problems = [];
const consoleError = console.error;
console.error = (...args) => {
  problems.push(`console.error: ${args.join(" ")}`);
  consoleError(...args);
};
process.on("unhandledRejection", (reason) => problems.push(`unhandled rejection: ${reason?.stack ?? reason}`));
process.on("uncaughtException", (error) => problems.push(`uncaught: ${error?.stack ?? error}`));

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname === "/health") return Response.json({ runtime, version: deno ? deno.version.deno : globalThis.Bun.version });
  if (url.pathname !== "/cell") return new Response("not found", { status: 404 });
  let cell;
  try {
    cell = cellById(url.searchParams.get("id"));
  } catch (error) {
    return Response.json({ error: String(error) }, { status: 400 });
  }
  const { outcome, ms } = await runCell(lib, client, simUrl, cell, url.searchParams.get("fn") ?? "");
  return Response.json({ outcome, ms, problems: problems.splice(0) });
}

if (deno) {
  deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`listening ${port}`) }, handle);
} else {
  const server = globalThis.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle });
  console.log(`listening ${server.port}`);
}
