// The simulator's generated accounts as mock/README.md ("Many authorizers") describes them,
// recomputed here so that the fleet's index and search are checked against numbers the Worker
// did not produce.

const ALIASES = ["prod", "test", "dev"];
const NAMES = ["login", "orderSync", "reportDaily", "notify"];
const POOL = [
  "wxacode.get", "wxacode.getUnlimited", "subscribeMessage.send", "security.msgSecCheck",
  "templateMessage.send", "customerServiceMessage.send", "urllink.generate", "phonenumber.getPhoneNumber",
];
const KEYS = ["REGION", "API_KEY", "DB_PASSWORD"];

export const pad = (i) => String(i).padStart(4, "0");
export const appidOf = (i) => `wx-sim-app-${pad(i)}`;

/** Whether account i has cloud development (every tenth has not: 61007 on tcb). */
export const hasTcb = (i) => i % 10 !== 0;

/** Every function of account i: { appid, i, k, j, env, name, openapi, trigger, timeout, keys }. */
export function functionsOf(i) {
  const out = [];
  for (let k = 1; k <= 1 + (i % 3); k++) {
    const env = `${ALIASES[k - 1]}-app${pad(i)}`;
    const n = 2 + ((i + k) % 3);
    for (let j = 0; j < n; j++) {
      const start = (i + k + j) % 8;
      const openapi = Array.from({ length: 1 + ((i + j) % 4) }, (_, m) => POOL[(start + m) % 8]);
      const trigger = j % 2 === 1 ? { name: `tick${j}`, minute: (i + j) % 60, hour: (i + k) % 24, config: `0 ${(i + j) % 60} ${(i + k) % 24} * * * *` } : null;
      out.push({
        appid: appidOf(i), i, k, j, env, name: NAMES[j], openapi, trigger,
        timeout: 3 + ((i + j) % 10), keys: KEYS.slice(0, 1 + ((i + k + j) % 3)),
      });
    }
  }
  return out;
}

/** Every function of accounts 1…n that WeChat lets the platform read. */
export function readableFunctions(n) {
  return Array.from({ length: n }, (_, x) => x + 1).filter(hasTcb).flatMap(functionsOf);
}

export const key = (r) => `${r.appid} ${r.env} ${r.function ?? r.name}`;
