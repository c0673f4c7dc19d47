// A TypeScript consumer of the published types, checked with `tsc --noEmit --strict`.
import { getFuncConfig, isTcbError, TcbClient } from "tcb-funcconfig";
import type { AllConfigs, EnvironmentConfig, FuncConfig, TcbError, TcbErrorCode } from "tcb-funcconfig";

function describe(c: FuncConfig): string {
  switch (c.kind) {
    case "cloudCall":
      return c.openapi.join(", ");
    case "timerTrigger":
      return c.triggers.map((t) => `${t.name}: ${t.config}`).join("; ");
    case "environment":
      return `${c.timeout}s, ${c.environment.length} variables`;
    default: {
      const never: never = c;
      return never;
    }
  }
}

export async function run(signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  // The result type follows the `type` argument.
  const env: EnvironmentConfig = await getFuncConfig({
    accessToken: "t", env: "test-777bb9", functionName: "f", type: 3, timeoutMs: 5000, signal,
  });
  const byName = await getFuncConfig({ accessToken: "t", env: "e", functionName: "f", type: "cloudCall" });
  out.push(String(env.timeout), byName.openapi[0] ?? "");

  const client = new TcbClient({ accessToken: "t", baseUrl: "https://relay.example.com" });
  const all: AllConfigs = await client.getAllConfigs("e", "f", { signal });
  if (all.timerTrigger) out.push(all.timerTrigger.triggers[0]?.config ?? "");
  out.push(describe(await client.getFuncConfig({ env: "e", functionName: "f", type: 2 })));

  try {
    await getFuncConfig({ accessToken: "t", env: "e", functionName: "f", type: 1 });
  } catch (e: unknown) {
    if (isTcbError(e)) {
      const err: TcbError = e;
      const code: TcbErrorCode = err.code;
      const errcode: number | undefined = err.errcode;
      out.push(code, String(errcode), err.hint, String(err.retryable));
    }
  }

  // @ts-expect-error: 4 is not a config type
  await getFuncConfig({ accessToken: "t", env: "e", functionName: "f", type: 4 });
  // @ts-expect-error: accessToken is required
  await getFuncConfig({ env: "e", functionName: "f", type: 1 });
  // @ts-expect-error: a cloud-call config has no `timeout`
  (await getFuncConfig({ accessToken: "t", env: "e", functionName: "f", type: 1 })).timeout;
  // @ts-expect-error: the client takes its token in the constructor
  new TcbClient({ baseUrl: "https://x" });
  return out;
}
