/**
 * Typed client for the configuration of WeChat cloud functions (`POST /tcb/getfuncconfig`).
 *
 * Every call resolves to a plain object (safe for `JSON.stringify`) or rejects with a
 * {@link TcbError}. Arguments are validated before anything is sent.
 */

/** A configuration type: WeChat's number, or the name used in results (`kind`). */
export type ConfigTypeArg = 1 | 2 | 3 | "cloudCall" | "timerTrigger" | "environment";

/** Fields shared by the three typed configurations. */
interface FuncConfigBase {
  /** Environment id the config was read from. */
  env: string;
  /** Cloud function name. */
  functionName: string;
  /** The `config` string exactly as the server sent it (unknown fields stay here). */
  raw: string;
}

/** Type 1: the cloud-call (云调用) APIs the function may call. */
export interface CloudCallConfig extends FuncConfigBase {
  kind: "cloudCall";
  type: 1;
  /** API names of the form `<category>.<method>`, e.g. `wxacode.getUnlimited`. */
  openapi: string[];
}

/** One timer trigger (定时触发器). */
export interface TimerTrigger {
  /** The trigger's name. */
  name: string;
  /** Always `"timer"` today (assumed when the server leaves it out). */
  type: string;
  /** A 7-field cron expression in UTC+8: `second minute hour day month weekday year`. */
  config: string;
  /** When `config` parses: what it means and the next 5 fire times (computed when the config was read). */
  schedule?: CronSchedule;
  /** When `config` does not parse: why (the config is still returned). */
  scheduleError?: string;
}

/** A plain-language explanation of a cron expression. */
export interface CronExplanation {
  /** English, e.g. "at 10:15:00 on Monday to Friday". */
  en: string;
  /** Chinese, e.g. "周一至周五 10:15:00". */
  zh: string;
}

/** What a trigger's expression means and when it fires next. */
export interface CronSchedule {
  explanation: CronExplanation;
  /** ISO 8601 times in UTC+8, e.g. "2026-11-30T10:15:00+08:00"; empty when no fire time is left. */
  nextRuns: string[];
}

/** A parsed WeChat timer expression. */
export interface ParsedCron {
  /** The expression, fields joined by single spaces. */
  expression: string;
  /** Each field's text. */
  fields: { second: string; minute: string; hour: string; day: string; month: string; weekday: string; year: string };
  explanation: CronExplanation;
}

/**
 * Parses a 7-field WeChat timer expression: `second minute hour day month weekday year`, in UTC+8.
 * Ranges: second and minute 0–59, hour 0–23, day 1–31, month 1–12 or JAN–DEC, weekday 0–6 or
 * SUN–SAT (0 = Sunday), year 1970–2099; only `,` `-` `*` `/` are special. Throws a
 * {@link TcbError} (`invalid_argument`) naming the field, the text and the allowed range.
 */
export function parseCron(expression: string): ParsedCron;

/**
 * The next `count` (default 5, at most 1000) fire times strictly after `from` (default now), as
 * ISO strings in UTC+8. Empty when the expression's years are all past. Throws a
 * {@link TcbError} (`invalid_argument`) on a bad expression or option.
 */
export function nextRuns(expression: string, options?: { from?: Date | string; count?: number }): string[];

/** The query WeChat puts on a push's URL, e.g. `Object.fromEntries(new URL(request.url).searchParams)`. */
export interface PushQuery {
  /** Unix seconds, as sent. */
  timestamp: string;
  nonce: string;
  /** SHA-1 hex of the sorted token, timestamp, nonce and `Encrypt`. */
  msg_signature: string;
  /** `"aes"`; anything else is refused (`not_encrypted`). */
  encrypt_type?: string;
  [name: string]: string | undefined;
}

/** What {@link decryptPush} needs. `token` and `encodingAesKey` are secrets: no error ever shows them. */
export interface DecryptPushOptions {
  query: PushQuery;
  /** The request body as text: `<xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>`. */
  body: string;
  /** The platform's message token (消息校验Token). */
  token: string;
  /** The platform's 43-character EncodingAESKey (消息加解密Key). */
  encodingAesKey: string;
  /** The platform's appid; the push must be encrypted for it. */
  componentAppid: string;
  /** The current time (a `Date` or milliseconds); default `Date.now()`. */
  now?: number | Date;
}

/** A push, decrypted: WeChat's fields in camelCase; fields its `infoType` does not have are absent. */
export interface PushEvent {
  /** `component_verify_ticket`, `authorized`, `updateauthorized`, `unauthorized`, or another type as sent. */
  infoType: "component_verify_ticket" | "authorized" | "updateauthorized" | "unauthorized" | (string & {});
  /** The platform's appid. */
  appId: string;
  /** Unix seconds. */
  createTime: number;
  /** `component_verify_ticket`: the ticket (valid 12 h; keep the latest). A secret. */
  componentVerifyTicket?: string;
  /** `authorized`, `updateauthorized`, `unauthorized`: the mini program. */
  authorizerAppid?: string;
  /** `authorized`, `updateauthorized`: exchange it through `api_query_auth`. A secret. */
  authorizationCode?: string;
  /** `authorized`, `updateauthorized`: when the code expires, in Unix seconds. */
  authorizationCodeExpiredTime?: number;
  /** `authorized`, `updateauthorized`: the pre-authorization code, when sent. */
  preAuthCode?: string;
}

/**
 * Verifies, decrypts and reads a push to a third-party platform's authorization event URL:
 * checks `msg_signature` (constant time), refuses a `timestamp` more than 300 s from `now`,
 * decrypts AES-256-CBC under the EncodingAESKey and checks the appid inside. Rejects with a
 * {@link TcbError}: `invalid_argument` for a missing option, `push` with a `reason` for a refused
 * push. The same push may arrive twice within the 300 s: detecting replays is the caller's job.
 * Answer WeChat with the text `success` once the event is stored.
 */
export function decryptPush(options: DecryptPushOptions): Promise<PushEvent>;

/** Type 2: the function's timer triggers (WeChat allows at most one). */
export interface TimerTriggerConfig extends FuncConfigBase {
  kind: "timerTrigger";
  type: 2;
  triggers: TimerTrigger[];
}

/** One environment variable. Values are often secrets: do not log them. */
export interface EnvVar {
  key: string;
  value: string;
}

/** Type 3: the function's timeout and environment variables (环境配置). */
export interface EnvironmentConfig extends FuncConfigBase {
  kind: "environment";
  type: 3;
  /** Maximum run time in whole seconds (1–300; 3 when the server leaves it out). */
  timeout: number;
  environment: EnvVar[];
}

/** Any typed configuration; narrow it on `kind`. */
export type FuncConfig = CloudCallConfig | TimerTriggerConfig | EnvironmentConfig;

/** The three configurations of one function; a type it does not have (errcode 85089) is `null`. */
export interface AllConfigs {
  cloudCall: CloudCallConfig | null;
  timerTrigger: TimerTriggerConfig | null;
  environment: EnvironmentConfig | null;
}

/** The result type for a given `type` argument. */
export type ConfigFor<T extends ConfigTypeArg> = T extends 1 | "cloudCall"
  ? CloudCallConfig
  : T extends 2 | "timerTrigger"
    ? TimerTriggerConfig
    : T extends 3 | "environment"
      ? EnvironmentConfig
      : FuncConfig;

/** What kind of failure a {@link TcbError} is. */
export type TcbErrorCode =
  /** An argument failed validation; nothing was sent. */
  | "invalid_argument"
  /** WeChat answered with a non-zero `errcode`. */
  | "api"
  /** An HTTP status outside 2xx (a proxy or gateway, usually). */
  | "http"
  /** The request did not complete (connection refused or reset, DNS, CORS). */
  | "network"
  /** The whole call took longer than `timeoutMs`. */
  | "timeout"
  /** The caller's `signal` aborted the call. */
  | "aborted"
  /** The answer was not in the documented shape; see `raw`. */
  | "decode"
  /** The caller's own token source failed or gave no usable token. */
  | "token"
  /** A write found the config changed since it was read; nothing was written. See `expected`, `actual`, `changes`. */
  | "conflict"
  /** A write was accepted but reading it back shows another config. See `expected`, `actual`, `changes`. */
  | "unverified"
  /** A write failed after it was sent and may have been applied: read the config before trying again. */
  | "unknown_outcome"
  /** A push from WeChat was refused; see `reason`. */
  | "push";

/** Why {@link decryptPush} refused a push (the `reason` of a `TcbError` whose `code` is `"push"`). */
export type PushRefusal =
  /** `encrypt_type` is not `aes`: set the platform's message encryption to secure mode. */
  | "not_encrypted"
  /** `msg_signature` does not match: a wrong token, or not from WeChat. */
  | "bad_signature"
  /** `timestamp` is more than 300 s from `now`. */
  | "stale"
  /** `Encrypt` is not Base64. */
  | "bad_base64"
  /** The ciphertext is empty or not whole AES blocks. */
  | "bad_ciphertext"
  /** The plaintext does not end in 32-byte PKCS#7 padding: usually a wrong EncodingAESKey. */
  | "bad_padding"
  /** The length inside the plaintext runs past its end: usually a wrong EncodingAESKey. */
  | "bad_length"
  /** The push was encrypted for another platform's appid, or its event names another. */
  | "wrong_appid"
  /** The body or the decrypted XML is not WeChat's flat `<xml>` of text elements with the documented fields. */
  | "malformed";

/**
 * Every rejection is an `Error` of this shape. No property ever contains the access token.
 */
export interface TcbError extends Error {
  name: "TcbError";
  code: TcbErrorCode;
  /** WeChat's error code, when `code` is `"api"` (e.g. 40014, 85089). */
  errcode?: number;
  /** WeChat's error message, when `code` is `"api"` and the server sent one. */
  errmsg?: string;
  /** The HTTP status, when `code` is `"http"`. */
  httpStatus?: number;
  /** One line: what to do about it. */
  hint: string;
  /** Whether the same call may succeed later without changes. */
  retryable: boolean;
  /** The text that could not be decoded, when `code` is `"decode"`. */
  raw?: string;
  /** Why the push was refused, when `code` is `"push"`. */
  reason?: PushRefusal;
  /**
   * `conflict`: the config the edit was based on (`null`: not configured); `unverified`: the
   * config that was written. Environment values are masked.
   */
  expected?: FuncConfig | null;
  /** `conflict` and `unverified`: the config the server has now (masked; `null`: not configured). */
  actual?: FuncConfig | null;
  /** `conflict` and `unverified`: what differs from `expected` to `actual` (values masked). */
  changes?: ConfigChange[];
}

/** Options shared by every call. */
export interface CallOptions {
  /** WeChat's host or a relay in front of it. Default `"https://api.weixin.qq.com"`. */
  baseUrl?: string;
  /**
   * Limit for the whole call in milliseconds (1–300000), including retries, backoff and token
   * fetches. Default 10000; then code `"timeout"`.
   */
  timeoutMs?: number;
  /**
   * Retries after the first attempt (0–10, default 2). Only network errors, HTTP 5xx and 429,
   * and errcode -1 / -1000 are retried, with exponential backoff and full jitter (base 100 ms,
   * cap 2 s). A rejected token (40001, 40014, 42001) is refreshed once and tried once more.
   */
  retries?: number;
}

/** What a token source is asked. */
export interface TokenContext {
  /** True after the server rejected the cached token: return a new one. */
  forceRefresh: boolean;
  /** Aborted when the call's time is up or its caller aborts. */
  signal: AbortSignal;
}

/**
 * A token source: a token with its lifetime in seconds (cached, and renewed 300 s before it
 * expires), or a string (cached until the server rejects it, then asked for again with
 * `forceRefresh: true`). Called at most once per call, plus once after a rejection.
 */
export type GetAccessToken = (ctx: TokenContext) => Promise<string | { accessToken: string; expiresIn?: number }>;

/** Options of the built-in token sources. */
export interface ProviderOptions {
  /** WeChat's host, or a fixed-IP relay (errcode 61004: edge egress IPs are not whitelisted). */
  baseUrl?: string;
  /** Limit for one token fetch in milliseconds. Default 10000. */
  timeoutMs?: number;
}

/**
 * A mini program's own token through `POST /cgi-bin/stable_token` (the secret travels in the
 * body and stays inside the module). `force_refresh` is sent only after a rejection, at most
 * once per 30 s. Note: getfuncconfig itself refuses these tokens (40014); use it for the
 * other /tcb endpoints or where your platform allows.
 */
export function stableToken(options: ProviderOptions & { appid: string; secret: string }): GetAccessToken;

/**
 * A third-party platform's component_access_token through
 * `POST /cgi-bin/component/api_component_token`: each call fetches a new token (the secret and
 * the ticket stay inside the module). Give it to one cache, e.g. a {@link ComponentClient}'s
 * `getComponentAccessToken`, and share that cache: the endpoint's quota is the platform's.
 */
export function componentToken(
  options: ProviderOptions & {
    componentAppid: string;
    componentAppsecret: string;
    /** The latest component_verify_ticket WeChat pushed to your callback (every 10 minutes). */
    getComponentVerifyTicket: () => Promise<string> | string;
  },
): GetAccessToken;

/**
 * A third-party platform's token for one authorized mini program: component_access_token,
 * then authorizer_access_token. When WeChat rotates the refresh token,
 * `saveAuthorizerRefreshToken` is awaited before the new access token is used.
 *
 * The component token comes either from the platform's shared source
 * (`getComponentAccessToken`, e.g. `(ctx) => platform.componentAccessToken(ctx)`: one token for
 * every authorized app; asked at each authorizer token fetch, and once more with
 * `forceRefresh: true` when WeChat rejects it), or is fetched and cached by this source alone
 * (`componentAppsecret` with `getComponentVerifyTicket`). Exactly one of the two.
 */
export function authorizerToken(
  options: ProviderOptions & {
    componentAppid: string;
    authorizerAppid: string;
    getAuthorizerRefreshToken: () => Promise<string> | string;
    saveAuthorizerRefreshToken: (refreshToken: string) => Promise<void> | void;
  } & (
      | {
          /** The platform's component_access_token, shared by all its authorizer sources. */
          getComponentAccessToken: GetAccessToken;
          componentAppsecret?: never;
          getComponentVerifyTicket?: never;
        }
      | {
          componentAppsecret: string;
          /** The latest component_verify_ticket WeChat pushed to your callback (every 10 minutes). */
          getComponentVerifyTicket: () => Promise<string> | string;
          getComponentAccessToken?: never;
        }
    ),
): GetAccessToken;

/** One `getFuncConfig` request. */
export interface GetFuncConfigRequest<T extends ConfigTypeArg = ConfigTypeArg> extends CallOptions {
  /**
   * The access token. getfuncconfig needs a third-party platform's `authorizer_access_token`;
   * a mini program's own token is refused with errcode 40014.
   */
  accessToken: string;
  /** Environment id: 1–64 letters, digits, `-`, `_`. */
  env: string;
  /** Cloud function name: 1–60 letters, digits, `-`, `_`, starting with a letter. */
  functionName: string;
  /** Which configuration: 1 / `"cloudCall"`, 2 / `"timerTrigger"`, 3 / `"environment"`. */
  type: T;
  /** Aborting rejects at once with code `"aborted"`. */
  signal?: AbortSignal;
}

/** Fetches one configuration of one cloud function. */
export function getFuncConfig<T extends ConfigTypeArg>(request: GetFuncConfigRequest<T>): Promise<ConfigFor<T>>;

/** Options of a {@link TcbClient}: exactly one of `accessToken` or `getAccessToken`. */
export type TcbClientOptions = CallOptions &
  (
    | { /** A fixed token (see {@link GetFuncConfigRequest.accessToken}). */ accessToken: string; getAccessToken?: never }
    | { /** A token source, e.g. `authorizerToken({...})`. */ getAccessToken: GetAccessToken; accessToken?: never }
  );

/** A client holding the access token and limits for many calls. */
export class TcbClient {
  /** Throws a {@link TcbError} (`invalid_argument`) on bad options. */
  constructor(options: TcbClientOptions);
  /** Fetches one configuration of one cloud function. */
  getFuncConfig<T extends ConfigTypeArg>(request: {
    env: string;
    functionName: string;
    type: T;
    signal?: AbortSignal;
  }): Promise<ConfigFor<T>>;
  /**
   * Fetches the three configurations concurrently under one `timeoutMs`. A type answered with
   * errcode 85089 (not configured) is `null`; any other error rejects the whole call.
   */
  getAllConfigs(env: string, functionName: string, options?: { signal?: AbortSignal }): Promise<AllConfigs>;
  /** Writes one complete configuration; see {@link uploadFuncConfig}. */
  uploadFuncConfig(request: {
    env: string;
    functionName: string;
    type: ConfigTypeArg;
    config: ConfigInput;
    signal?: AbortSignal;
  }): Promise<void>;
  /** One page of an environment's functions. */
  listFunctions(request: { env: string; limit?: number; offset?: number; signal?: AbortSignal }): Promise<FunctionList>;
  /** Every function of an environment, 100 per request, under one `timeoutMs`. */
  listAllFunctions(env: string, options?: { signal?: AbortSignal }): Promise<FunctionList>;
  /**
   * The app's cloud development environments (`POST /tcb/getenvinfo`); only `env` when given
   * (an empty list when the app has no such environment). Errcode 85088: cloud development is
   * not enabled for the app.
   */
  getEnvInfo(request?: { env?: string; signal?: AbortSignal }): Promise<EnvInfoList>;
  /**
   * Each edit helper is a read-modify-write that sends the complete config: it reads the config,
   * checks it against `expectedRaw`, applies the edit, reads again right before writing (any
   * change meanwhile: `"conflict"`, nothing written), writes, and reads back (a difference:
   * `"unverified"`).
   *
   * Sets and unsets environment variables and changes the timeout, keeping everything else.
   */
  updateEnvironment(
    env: string,
    functionName: string,
    edit: { set?: Record<string, string>; unset?: string[]; timeout?: number },
    options?: EditOptions,
  ): Promise<EditResult<EnvironmentConfig>>;
  /** Grants cloud-call APIs (`<category>.<method>` names); see {@link TcbClient.updateEnvironment}. */
  grantOpenapi(env: string, functionName: string, names: string[], options?: EditOptions): Promise<EditResult<CloudCallConfig>>;
  /** Revokes cloud-call APIs; see {@link TcbClient.updateEnvironment}. */
  revokeOpenapi(env: string, functionName: string, names: string[], options?: EditOptions): Promise<EditResult<CloudCallConfig>>;
  /** Makes `trigger` the function's one timer trigger; see {@link TcbClient.updateEnvironment}. */
  setTimerTrigger(
    env: string,
    functionName: string,
    trigger: { name: string; config: string; type?: "timer" },
    options?: EditOptions,
  ): Promise<EditResult<TimerTriggerConfig>>;
  /** Removes the function's timer trigger; see {@link TcbClient.updateEnvironment}. */
  removeTimerTrigger(env: string, functionName: string, options?: EditOptions): Promise<EditResult<TimerTriggerConfig>>;
  /**
   * Makes the config of type `type` the one `raw` is the text of (a `raw` that
   * {@link TcbClient.getFuncConfig} gave, e.g. an earlier version), writing that text unchanged.
   * `raw` is checked with WeChat's rules for the type first (code `"invalid_argument"`, field
   * `raw` or the config's field). The same read-modify-write as the edit helpers; nothing is
   * written when the config's text is already `raw`. See {@link TcbClient.updateEnvironment}.
   */
  restoreConfig(
    env: string,
    functionName: string,
    type: ConfigTypeArg,
    raw: string,
    options?: EditOptions,
  ): Promise<EditResult<FuncConfig>>;
  /** Forgets the cached token (optional: a client holds nothing else). */
  free(): void;
}

/** A config as a caller writes it: the complete list, because what is left out is removed. */
export type ConfigInput =
  | { openapi: string[] }
  | { triggers: Array<{ name: string; type?: "timer"; config: string }> }
  | { timeout: number; environment: EnvVar[] };

/** One difference between two configs of the same type. */
export interface ConfigChange {
  op: "added" | "removed" | "changed";
  field: "openapi" | "triggers" | "timeout" | "environment";
  /** The API name, trigger name, `"timeout"`, or variable key. */
  key: string;
  /** The value before (removed or changed; API names have none). */
  before?: string;
  /** The value after (added or changed; API names have none). */
  after?: string;
  /** Present when `before`/`after` are environment values shown as `"••••••"`. */
  masked?: true;
}

/** Options of every edit helper. */
export interface EditOptions {
  /**
   * The `raw` of the config the edit is based on (what the user last saw), or `null` for "not
   * configured". When the server's config differs, nothing is written: code `"conflict"`.
   */
  expectedRaw?: string | null;
  /** Read, validate and compute the change, but write nothing (`written: false`). */
  dryRun?: boolean;
  /** Show environment values in `changes` (masked by default). */
  revealValues?: boolean;
  signal?: AbortSignal;
}

/**
 * What an edit did: `written` is false for a dry run or when nothing would change; `config` is
 * the config read back after the write (the planned one for a dry run; `null` when a no-op
 * left a type unconfigured).
 */
export interface EditResult<C extends FuncConfig> {
  written: boolean;
  config: C | null;
  changes: ConfigChange[];
}

/** One cloud function of an environment. */
export interface FunctionInfo {
  name: string;
  /** e.g. `"Nodejs16.13"` (WeChat spells the field `runtime` or `run_time`). */
  runtime: string | null;
  /** e.g. `"Active"`. */
  status: string | null;
  /** As WeChat sends it: Unix seconds or a date text. */
  addTime: number | string | null;
  modTime: number | string | null;
}

/** One cloud development environment, in WeChat's words (`getenvinfo`'s `info_list`). */
export interface EnvInfo {
  /** Its id, e.g. `"test2-4a89da"`. */
  env: string;
  /** Its alias, e.g. `"test2"`. */
  alias: string | null;
  /** When it was opened, `"2019-04-04 14:10:28"` (UTC+8, no zone). */
  createTime: string | null;
  /** When it was last changed, same format. */
  updateTime: string | null;
  /** `"NORMAL"`, `"HALTED"` (usage over its limits, or blocked) or `"UNAVAILABLE"` (not initialised yet). */
  status: string | null;
  /** Its plan's id, e.g. `"basic"`. */
  packageId: string | null;
  /** Its plan's name, e.g. `"基础版"`. */
  packageName: string | null;
}

/** An app's environments. */
export interface EnvInfoList {
  environments: EnvInfo[];
}

/**
 * Options of a {@link ComponentClient}: the platform's appid, and either a shared source of its
 * component_access_token, or its secret and exactly one source of the component_verify_ticket
 * WeChat pushes to the platform every 10 minutes.
 */
export type ComponentClientOptions = CallOptions & {
  /** The third-party platform's appid. */
  componentAppid: string;
} & (
    | {
        /**
         * The platform's component_access_token from a shared source (e.g. `componentToken({...})`
         * behind a cache the platform keeps), cached by the client like a `getAccessToken`.
         */
        getComponentAccessToken: GetAccessToken;
        componentAppsecret?: never;
        getComponentVerifyTicket?: never;
        componentVerifyTicket?: never;
      }
    | {
        /** The platform's app secret; it stays inside the module and never shows in an error. */
        componentAppsecret: string;
        getComponentAccessToken?: never;
        /** Asked at each component token fetch: the latest ticket WeChat pushed (see `decryptPush`). */
        getComponentVerifyTicket: () => Promise<string> | string;
        componentVerifyTicket?: never;
      }
    | {
        /** A ticket, valid 12 h from its push. */
        componentVerifyTicket: string;
        getComponentVerifyTicket?: never;
        componentAppsecret: string;
        getComponentAccessToken?: never;
      }
  );

/** A pre-authorization code (`api_create_preauthcode`). */
export interface PreAuthCode {
  /** The code to put in the authorization links. */
  preAuthCode: string;
  /** Seconds it stays valid (1800). */
  expiresIn: number | null;
}

/** The links that start an authorization for mini programs (`auth_type=2`). */
export interface AuthorizationLinks {
  /** `https://mp.weixin.qq.com/cgi-bin/componentloginpage?…`: the account's admin scans its QR code. */
  pc: string;
  /** `https://open.weixin.qq.com/wxaopen/safe/bindcomponent?…#wechat_redirect`: opened inside WeChat. */
  mobile: string;
}

/** What an authorization code is exchanged for (`api_query_auth`). Holds secrets: store them, never log them. */
export interface Authorization {
  /** The authorized mini program. */
  authorizerAppid: string;
  /** A token to act for it (present when the account has API permissions). */
  authorizerAccessToken: string | null;
  /** Seconds the token lives (7200). */
  expiresIn: number | null;
  /** The refresh token: persist it, it is the authorization (lost: errcode 61023, authorize again). */
  authorizerRefreshToken: string | null;
  /** The permission set ids granted; 49 is cloud development management. */
  funcInfo: number[];
}

/** An authorized account's profile (`api_get_authorizer_info`). */
export interface AuthorizerInfo {
  /** Its appid. */
  authorizerAppid: string | null;
  /** Its name. */
  nickName: string | null;
  /** Its avatar's URL. */
  headImg: string | null;
  /** Its original id (`gh_…`). */
  userName: string | null;
  /** The company or person behind it. */
  principalName: string | null;
  /** Its WeChat id, often empty. */
  alias: string | null;
  /** Its QR code's URL. */
  qrcodeUrl: string | null;
  /** Its description. */
  signature: string | null;
  /** `service_type_info.id`. */
  serviceType: number | null;
  /** `verify_type_info.id` (-1: not verified). */
  verifyType: number | null;
  /** Whether it is a mini program (the answer has `MiniProgramInfo`). */
  isMiniProgram: boolean;
  /** The permission set ids granted; 49 is cloud development management. */
  funcInfo: number[];
}

/** One authorized account (`api_get_authorizer_list`). Holds a secret: the refresh token. */
export interface AuthorizedAccount {
  authorizerAppid: string;
  /** Its current authorizer_refresh_token, when WeChat sends it. */
  refreshToken: string | null;
  /** When it authorized, in Unix seconds. */
  authTime: number | null;
}

/** A page (or all) of the authorized accounts. */
export interface AuthorizerList {
  /** Authorized accounts in all. */
  totalCount: number;
  list: AuthorizedAccount[];
}

/**
 * A third-party platform's own calls, with its component_access_token (fetched with the
 * ticket, cached as plain values and renewed 300 s before it expires; a rejected token is
 * replaced once). No secret (app secret, ticket, token, authorization code) ever shows in an
 * error, nor in `JSON.stringify` or `console.log` of the client.
 */
export class ComponentClient {
  /** Throws a {@link TcbError} (`invalid_argument`) on bad options. */
  constructor(options: ComponentClientOptions);
  /**
   * The client's component_access_token from its cache (fetched when none is usable; one fetch
   * at a time): the `getComponentAccessToken` of the platform's `authorizerToken` sources, so the
   * whole platform uses one token. `forceRefresh` fetches a new one at most once per 30 s; within
   * that time the one fetched then is given.
   */
  componentAccessToken(ctx?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
  /** A pre-authorization code for {@link ComponentClient.authorizationLinks} (valid 1800 s). */
  createPreAuthCode(options?: { signal?: AbortSignal }): Promise<PreAuthCode>;
  /**
   * The PC and mobile authorization links for mini programs (`auth_type=2`), every value
   * percent-encoded. `redirectUri`: an absolute http(s) URL on the platform's registered domain,
   * without a fragment; WeChat redirects there with `auth_code` and `expires_in=600`. The link
   * must be opened from a page on the platform's registered 授权发起页域名. Throws a
   * {@link TcbError} on a bad argument.
   */
  authorizationLinks(preAuthCode: string, redirectUri: string): AuthorizationLinks;
  /**
   * Exchanges the `auth_code` of the redirect (valid 600 s, single use) for the account's
   * tokens. Never sent twice: a failure after sending is `"unknown_outcome"` (the code may be
   * used up). 61009: invalid or used code; 61010: expired.
   */
  queryAuth(authorizationCode: string, options?: { signal?: AbortSignal }): Promise<Authorization>;
  /** An authorized account's profile and granted permission sets. 61003: not authorized to this platform. */
  getAuthorizerInfo(authorizerAppid: string, options?: { signal?: AbortSignal }): Promise<AuthorizerInfo>;
  /** One page of the authorized accounts: `offset` ≥ 0 (default 0), `count` 1–500 (default 500). */
  getAuthorizerList(request?: { offset?: number; count?: number; signal?: AbortSignal }): Promise<AuthorizerList>;
  /** Every authorized account, 500 per request, under one `timeoutMs`. */
  getAllAuthorizers(options?: { signal?: AbortSignal }): Promise<AuthorizerList>;
  /** Forgets the cached token. */
  free(): void;
}

/** A page (or all) of an environment's functions. */
export interface FunctionList {
  /** Functions in the environment in all. */
  total: number;
  functions: FunctionInfo[];
}

/** One `uploadFuncConfig` request. */
export interface UploadFuncConfigRequest<T extends ConfigTypeArg = ConfigTypeArg> extends CallOptions {
  /** An authorizer_access_token (see {@link GetFuncConfigRequest.accessToken}). */
  accessToken: string;
  env: string;
  functionName: string;
  type: T;
  /** The complete config of that type; validated before anything is sent. */
  config: ConfigInput;
  signal?: AbortSignal;
}

/**
 * Writes one complete configuration (`POST /tcb/uploadfuncconfig`). The endpoint has no version
 * and may replace the whole config: prefer the read-modify-write helpers of {@link TcbClient}.
 * A write is retried only when it certainly never left (connection refused); a failure after
 * sending rejects with `"unknown_outcome"`.
 */
export function uploadFuncConfig(request: UploadFuncConfigRequest): Promise<void>;

/** One page of an environment's functions (`POST /tcb/listfunctions`); `limit` 1–100 (default 10). */
export function listFunctions(
  request: CallOptions & { accessToken: string; env: string; limit?: number; offset?: number; signal?: AbortSignal },
): Promise<FunctionList>;

/**
 * What changes from `a` to `b`, two configs of the same type (typed results or {@link ConfigInput}
 * shapes), e.g. one function in staging and in production. Environment values are masked unless
 * `revealValues`. Throws `invalid_argument` when the types differ.
 */
export function diffConfigs(a: FuncConfig | ConfigInput, b: FuncConfig | ConfigInput, options?: { revealValues?: boolean }): ConfigChange[];

/** Why a field or a config may not be written; a check gives `null` when it may. */
export interface RuleBreak {
  /** Which rule was broken; see {@link RuleCode}. */
  code: RuleCode;
  /** The field as asked (`checkField`), or its path in the config (`config.environment[1].key`). */
  field: string;
  /** The field and the rule, e.g. "timeout must be a whole number of seconds from 1 to 300". Never quotes the value. */
  message: string;
  /** What to do, in one line. */
  hint: string;
}

/**
 * The code of a broken rule: `required` (empty), `shape` (not the JS type or shape the field
 * takes), `api_name`, `duplicate`, `too_many` (more than one trigger), `trigger_name`,
 * `trigger_type`, `cron`, `timeout`, `env_key`, `too_large` (over 4 KB of variables), `env_id`,
 * `function_name`.
 */
export type RuleCode =
  | "required"
  | "shape"
  | "api_name"
  | "duplicate"
  | "too_many"
  | "trigger_name"
  | "trigger_type"
  | "cron"
  | "timeout"
  | "env_key"
  | "too_large"
  | "env_id"
  | "function_name";

/** The fields {@link checkField} knows, by WeChat's names within each config type. */
export type RuleField<T extends ConfigTypeArg> =
  | "env"
  | "functionName"
  | (T extends 1 | "cloudCall" ? "openapi" : T extends 2 | "timerTrigger" ? "name" | "config" : "timeout" | "key" | "value");

/**
 * Checks one field as a form has it, by the rules every call is checked with: `env` and
 * `functionName` (any type); `openapi` (one API name, type 1); `name` and `config` (a trigger's name and cron expression, type 2);
 * `timeout` (a number, or its digits as typed), `key` and `value` (type 3). Text is checked as
 * given: trim it first if the form does. Throws an `invalid_argument` TcbError for an unknown
 * type or field.
 */
export function checkField<T extends ConfigTypeArg>(type: T, field: RuleField<T>, value: unknown): RuleBreak | null;

/**
 * Checks a whole config of `type` (the plain shape or a typed result) as `uploadFuncConfig`
 * does before sending it: `null`, or the first broken rule with the field's path.
 */
export function checkConfig(type: ConfigTypeArg, config: unknown): RuleBreak | null;

/** An environment variable as {@link maskConfig} shows it. */
export interface MaskedEnvVar {
  key: string;
  /** Always the mask, {@link Defaults.mask}. */
  value: string;
  masked: true;
  /** The real value's length (UTF-16 units); absent when the value was masked already. */
  length?: number;
}

/** An environment config as anyone may see it. */
export interface MaskedEnvironmentConfig {
  env: string;
  functionName: string;
  kind: "environment";
  type: 3;
  timeout: number;
  environment: MaskedEnvVar[];
  /** `{"timeout":…,"environment":[{"key":…,"value":"••••••"},…]}`: the keys only. */
  raw: string;
  rawMasked: true;
}

/**
 * A config as it may be shown to anyone: an environment config's values (and `raw`) replaced
 * by the mask, each with its length; nothing else of it is copied. Other types come back as
 * they are; `null` or `undefined` as `null`.
 */
export function maskConfig(config: EnvironmentConfig | MaskedEnvironmentConfig): MaskedEnvironmentConfig;
export function maskConfig<C extends CloudCallConfig | TimerTriggerConfig>(config: C): C;
export function maskConfig(
  config: FuncConfig | MaskedEnvironmentConfig | null | undefined,
): CloudCallConfig | TimerTriggerConfig | MaskedEnvironmentConfig | null;

/**
 * Changes as they may be shown to anyone: every environment value replaced by the mask (with
 * `masked: true`), only the documented fields kept. Anything but an array gives `[]`.
 */
export function maskChanges(changes: unknown): ConfigChange[];

/** The empty config of a type in the plain shape, e.g. to compare a missing config with. */
export function emptyConfig<T extends ConfigTypeArg>(
  type: T,
): T extends 1 | "cloudCall"
  ? { openapi: string[] }
  : T extends 2 | "timerTrigger"
    ? { triggers: Array<{ name: string; type: "timer"; config: string }> }
    : { timeout: number; environment: EnvVar[] };

/** The package's defaults and limits. */
export interface Defaults {
  /** Where WeChat's API is: `https://api.weixin.qq.com`. */
  baseUrl: string;
  /** The default `timeoutMs` of a call (10000). */
  timeoutMs: number;
  /** The largest `timeoutMs` (300000). */
  maxTimeoutMs: number;
  /** A cached token is renewed once it has at most this many seconds left (300). */
  renewBeforeSecs: number;
  /** What a hidden environment value shows: `"••••••"`. */
  mask: string;
  /** A function's `timeout` when none is set, in seconds (3). */
  timeout: number;
  /** The largest `timeout`, in seconds (300). */
  maxTimeout: number;
  /** The environment's variables, as JSON, must stay under this many bytes (4096). */
  maxEnvironmentBytes: number;
}

/** The package's defaults and limits (a frozen object). */
export function defaults(): Readonly<Defaults>;

/** Whether `value` is a {@link TcbError} from this package. */
export function isTcbError(value: unknown): value is TcbError;
