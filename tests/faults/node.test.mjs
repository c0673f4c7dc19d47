// The fault matrix in Node: the package's node entry, one TcbClient for every cell.
import * as lib from "../../pkg/node.js";
import { makeClient, runCell } from "./cells.mjs";
import { defineMatrix } from "./driver.mjs";

defineMatrix({
  name: "node",
  label: "Node",
  async start(simUrl) {
    const client = makeClient(lib, simUrl);
    // Whatever escapes a call (an uncaught exception, an unhandled rejection, a line the wasm
    // module logs on a panic) is a problem of the cell that caused it.
    const problems = [];
    const onUncaught = (error) => problems.push(`uncaught: ${error?.stack ?? error}`);
    const onUnhandled = (reason) => problems.push(`unhandled rejection: ${reason?.stack ?? reason}`);
    process.on("uncaughtExceptionMonitor", onUncaught);
    process.on("unhandledRejection", onUnhandled);
    const consoleError = console.error;
    console.error = (...args) => {
      problems.push(`console.error: ${args.join(" ")}`);
      consoleError(...args);
    };
    return {
      run: (cell, functionName) => runCell(lib, client, simUrl, cell, functionName),
      drain: () => problems.splice(0),
      stop() {
        console.error = consoleError;
        process.off("uncaughtExceptionMonitor", onUncaught);
        process.off("unhandledRejection", onUnhandled);
        client.free();
      },
    };
  },
});
