// A TypeScript consumer of the published types, checked with `tsc --noEmit --strict`.
import {
  ComponentClient,
  checkConfig,
  checkField,
  defaults,
  diffConfigs,
  emptyConfig,
  getFuncConfig,
  isTcbError,
  listFunctions,
  maskChanges,
  maskConfig,
  TcbClient,
  uploadFuncConfig,
} from "tcb-funcconfig";
import type {
  AllConfigs,
  Authorization,
  AuthorizationLinks,
  AuthorizerInfo,
  AuthorizerList,
  EnvInfo,
  PreAuthCode,
  MaskedEnvironmentConfig,
  RuleBreak,
  RuleCode,
  ConfigChange,
  EditResult,
  EnvironmentConfig,
  FuncConfig,
  FunctionList,
  TcbError,
  TcbErrorCode,
} from "tcb-funcconfig";

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

// Writes, listings and diffs: result types follow the helper.
export async function writes(client: TcbClient, signal: AbortSignal): Promise<string[]> {
  const seen = await client.getFuncConfig({ env: "e", functionName: "f", type: 3 });
  const edited: EditResult<EnvironmentConfig> = await client.updateEnvironment(
    "e", "f", { set: { K: "v" }, unset: ["OLD"], timeout: 10 }, { expectedRaw: seen.raw, dryRun: true, signal },
  );
  const timeout: number | undefined = edited.config?.timeout;
  const granted = await client.grantOpenapi("e", "f", ["wxacode.get"], { expectedRaw: null });
  const names: string[] = granted.config?.openapi ?? [];
  const trigger = await client.setTimerTrigger("e", "f", { name: "nightly", config: "0 0 2 * * * *" });
  const crons = trigger.config?.triggers.map((t) => t.config) ?? [];
  await client.uploadFuncConfig({ env: "e", functionName: "f", type: 1, config: { openapi: [] } });
  await uploadFuncConfig({ accessToken: "t", env: "e", functionName: "f", type: 3, config: { timeout: 3, environment: [] } });
  const page: FunctionList = await listFunctions({ accessToken: "t", env: "e", limit: 20, offset: 20 });
  const all = await client.listAllFunctions("e", { signal });
  const changes: ConfigChange[] = diffConfigs({ openapi: ["a.b"] }, granted.config ?? { openapi: [] }, { revealValues: false });
  const ops = changes.map((c) => `${c.op} ${c.field} ${c.key}`);
  try {
    await client.revokeOpenapi("e", "f", ["a.b"], { expectedRaw: "{}" });
  } catch (e) {
    if (isTcbError(e) && (e.code === "conflict" || e.code === "unverified")) {
      ops.push(String(e.actual?.kind), String(e.changes?.length));
    }
  }
  return [String(timeout), ...names, ...crons, String(page.total), String(all.functions[0]?.modTime), ...ops];
}

/** The rules a form and a Worker use without a client. */
export function rules(env: EnvironmentConfig, typed: FuncConfig): string[] {
  const broken: RuleBreak | null = checkField(3, "timeout", "301") ?? checkField("timerTrigger", "config", "0 0 2 * * * *");
  const code: RuleCode | undefined = broken?.code;
  const whole = checkConfig(1, emptyConfig(1));
  const masked: MaskedEnvironmentConfig = maskConfig(env);
  const lengths: Array<number | undefined> = masked.environment.map((v) => v.length);
  const shown = maskConfig(typed);
  const changes: ConfigChange[] = maskChanges(diffConfigs(emptyConfig(3), env, { revealValues: true }));
  const timeout: number = emptyConfig("environment").timeout;
  const d = defaults();
  return [String(code), String(whole?.field), String(lengths[0]), String(shown?.kind), String(changes.length), String(timeout), d.baseUrl, d.mask];
}

/** A third-party platform: authorization, its accounts, and one account's environments. */
export async function platform(ticket: () => Promise<string>): Promise<string[]> {
  const component = new ComponentClient({ componentAppid: "wxc", componentAppsecret: "s", getComponentVerifyTicket: ticket, timeoutMs: 5000 });
  const fixed = new ComponentClient({ componentAppid: "wxc", componentAppsecret: "s", componentVerifyTicket: "t", retries: 0 });
  // @ts-expect-error exactly one ticket source
  new ComponentClient({ componentAppid: "wxc", componentAppsecret: "s", componentVerifyTicket: "t", getComponentVerifyTicket: ticket });
  const code: PreAuthCode = await component.createPreAuthCode({ signal: new AbortController().signal });
  const links: AuthorizationLinks = component.authorizationLinks(code.preAuthCode, "https://p.example.com/cb");
  const auth: Authorization = await component.queryAuth("auth-code");
  const refresh: string | null = auth.authorizerRefreshToken;
  const info: AuthorizerInfo = await fixed.getAuthorizerInfo(auth.authorizerAppid);
  const page: AuthorizerList = await fixed.getAuthorizerList({ offset: 0, count: 500 });
  const all = await component.getAllAuthorizers();
  const client = new TcbClient({ accessToken: auth.authorizerAccessToken ?? "" });
  const envs: EnvInfo[] = (await client.getEnvInfo()).environments;
  const one = await client.getEnvInfo({ env: "test-777bb9" });
  const ids: number[] = info.funcInfo;
  return [
    links.pc,
    links.mobile,
    String(refresh !== null),
    String(info.isMiniProgram),
    String(ids.includes(49)),
    String(page.totalCount),
    String(all.list[0]?.authTime),
    String(envs[0]?.createTime),
    String(one.environments[0]?.status),
  ];
}
