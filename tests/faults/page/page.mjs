// The fault matrix's page: the package's browser entry and one TcbClient for every cell.
// The simulator's URL comes in the query (?sim=...); Node drives the page through
// window.faultMatrix.run(cellId, functionName).
import * as lib from "/pkg/browser.js";
import { cellById, makeClient, runCell } from "/faults/cells.mjs";

const sim = new URL(location.href).searchParams.get("sim");
const client = makeClient(lib, sim);
const problems = [];
addEventListener("unhandledrejection", (event) => problems.push(`unhandled rejection: ${event.reason?.stack ?? event.reason}`));
addEventListener("error", (event) => problems.push(`error event: ${event.message}`));

window.faultMatrix = {
  run: (cellId, functionName) => runCell(lib, client, sim, cellById(cellId), functionName),
  drain: () => problems.splice(0),
};
document.getElementById("state").textContent = "ready";
