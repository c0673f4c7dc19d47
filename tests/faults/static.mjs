// A static file server on loopback for the fault page: /pkg/ is the assembled package,
// /faults/ this folder. GET and HEAD only; nothing outside the two folders is served.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";
import { ROOT } from "./driver.mjs";

const MOUNTS = { "/pkg/": join(ROOT, "pkg"), "/faults/": join(ROOT, "tests/faults") };
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** Starts the server; resolves to { url, stop() }. */
export function serveStatic() {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    const mount = Object.keys(MOUNTS).find((m) => path.startsWith(m));
    const file = mount && normalize(join(MOUNTS[mount], path.slice(mount.length)));
    if (!file || !file.startsWith(MOUNTS[mount] + sep) || !["GET", "HEAD"].includes(request.method)) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream";
      response.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        stop: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
