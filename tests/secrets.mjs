// Every secret the test suite uses: the simulator's credentials, the Worker's keys, the
// environment values the tests treat as secret, and the wrong tokens and secrets the tests
// send on purpose. None may ever show in what the system emits (tests/leak-scan.mjs).
// A test that adds a secret adds it here too.
import { KEYS } from "./edge/harness.mjs";

export const SECRETS = [
  // The simulator's seed (mock/seed.json).
  "sim-access-token",
  "sim-expired-token",
  "sim-app-secret",
  "sim-component-secret",
  "sim-verify-ticket",
  "sim-refresh-token-0",
  // The Worker's bearer keys (tests/edge/harness.mjs).
  KEYS.viewer,
  KEYS.admin,
  "another-admin-key-for-tests-5555", // browse: another deployment's admin key
  // The seeded environment value that is secret (orderSync's DB_PASSWORD).
  "s3cr3t-pa55w0rd",
  // Values the edge tests store or send (api, browse, writes).
  "leaky-value-9731",
  "other-value-8080",
  "s3cr3t-pa55w0rX",
  "alpha-value-5150",
  "added-value-2718",
  "hook-value-3141",
  "merge-value-1618",
  "slow-value-1414",
  // Wrong tokens given to the Worker or the package on purpose (settings, node, workerd, bench).
  "wrong-token-for-edge-tests-4d2a",
  "secret-token-in-client",
  "mini-program-own-token-XYZ",
  "not-a-known-token",
  "wrong-kind-token-1234",
  "stale-refresh-token",
  "wrong-secret-xyz",
  "workerd-wrong-token",
  "not-an-authorizer-token",
  "a-token-of-long-ago",
  "placeholder-ticket",
  "ticket@@@stale", // platform: a component_verify_ticket WeChat no longer accepts
  // Values the Node write tests set.
  "n3w-s3cret-Value-77",
  "hook-s3cret-Value-88",
  "side-s3cret-Value-99",
  // Values the page tests set or type.
  "s3cr3t-edit-pw",
  "n3w-s3cr3t-value",
  "direct-secret-region",
  "cmp-secret-a",
  "cmp-secret-b",
  "phone-secret-value",
  // The push tests' platform keys, ticket and authorization code (tests/node/push.test.mjs).
  "push-token-Zq81",
  "k3Jd8sQm2Xv7Lp0Tz5Rb9Wc4Ny6Hf1Ga8Ue3Io7Ps2D",
  "ticket@@@secret-9xQ_rT2vLm",
  "queryauthcode@@@secret-Ab3",
  // The push receiver's tests: the platform's message token and EncodingAESKey, the tickets
  // and the authorization code pushed (tests/edge/events.test.mjs).
  "events-token-Hq27vX",
  "ZXZlbnRzLWFlcy1rZXktZm9yLWVkZ2UtdGVzdHMtMzI",
  "not-the-platform-token",
  "ticket@@@events-first-Rk5",
  "ticket@@@events-second-Ty8",
  "ticket@@@events-refused-Wm3",
  "queryauthcode@@@events-Jp4",
  // The simulator's platform message token and EncodingAESKey (its defaults, mock/README.md),
  // which the platform tests give the Worker (tests/edge/platform.test.mjs).
  "sim-component-token",
  "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  // The attack table's own (tests/edge/attack.test.mjs).
  "attack-ticket-6d1f",
  "attack-refresh-7c2e",
  "attack-value-8b3a",
  // The history's tests (tests/edge/history.test.mjs, tests/page/history.test.mjs): values and keys.
  "hist-s3cret-Value-31",
  "hist-s3cret-Value-62",
  "hist-drift-Value-93",
  "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
  "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=",
];

/** Secrets made while the suite runs, by their shape. */
export const SECRET_PATTERNS = [
  // Tokens the simulator issues and refresh tokens it rotates, tickets it pushes and
  // authorization codes it issues (mock/src/tokens.rs `fresh`).
  { name: "an issued simulator token", pattern: /(?:sim-(?:stable|component|authorizer|refresh)|(?:ticket|queryauthcode)@@@sim)-\d+-[0-9a-f]{32}/ },
  // A signed JWT (the Access tests' tokens): header, claims and a signature.
  { name: "a signed JWT", pattern: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{40,}/ },
];
