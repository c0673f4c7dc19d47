// The kinds of bulk edit, each one of the package's edit helpers: their specs checked by the
// package's own rules (checkField) before a job is made, and the call for one target.
//
//   grant_openapi   { names: [API, …] }          type 1
//   revoke_openapi  { names: [API, …] }          type 1
//   set_env         { set: { KEY: value, … } }   type 3 (values never shown or kept after the job)
//   unset_env       { keys: [KEY, …] }           type 3
//   set_timeout     { timeout: seconds }         type 3
//   set_trigger     { name, config }             type 2 (the function's one timer trigger)
//   remove_trigger  {}                           type 2
import { checkField } from "tcb-funcconfig";

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringList = (v) => Array.isArray(v) && v.length > 0 && v.length <= 100 && v.every((s) => typeof s === "string");

/** The first rule a value breaks, as a message (the package's, which never quotes the value). */
function rule(type, field, value) {
  const broken = checkField(type, field, value);
  return broken ? broken.message : null;
}

function checkEach(type, field, list) {
  for (const v of list) {
    const problem = rule(type, field, v);
    if (problem) return problem;
  }
  return null;
}

export const KINDS = {
  grant_openapi: {
    type: 1,
    check: (s) => (isStringList(s.names) ? checkEach(1, "openapi", s.names) : "spec.names must be a list of 1–100 API names"),
    fields: ["names"],
    call: (client, t, s, o) => client.grantOpenapi(t.env, t.functionName, s.names, o),
  },
  revoke_openapi: {
    type: 1,
    check: (s) => (isStringList(s.names) ? checkEach(1, "openapi", s.names) : "spec.names must be a list of 1–100 API names"),
    fields: ["names"],
    call: (client, t, s, o) => client.revokeOpenapi(t.env, t.functionName, s.names, o),
  },
  set_env: {
    type: 3,
    check: (s) => {
      if (!isObject(s.set) || Object.keys(s.set).length === 0) return "spec.set must be an object of variable names to string values";
      for (const [key, value] of Object.entries(s.set)) {
        const problem = rule(3, "key", key) ?? (typeof value === "string" ? rule(3, "value", value) : "each value in spec.set must be a string");
        if (problem) return problem;
      }
      return null;
    },
    fields: ["set"],
    call: (client, t, s, o) => client.updateEnvironment(t.env, t.functionName, { set: s.set }, o),
  },
  unset_env: {
    type: 3,
    check: (s) => (isStringList(s.keys) ? checkEach(3, "key", s.keys) : "spec.keys must be a list of 1–100 variable names"),
    fields: ["keys"],
    call: (client, t, s, o) => client.updateEnvironment(t.env, t.functionName, { unset: s.keys }, o),
  },
  set_timeout: {
    type: 3,
    check: (s) => (typeof s.timeout === "number" ? rule(3, "timeout", s.timeout) : "spec.timeout must be a number of seconds"),
    fields: ["timeout"],
    call: (client, t, s, o) => client.updateEnvironment(t.env, t.functionName, { timeout: s.timeout }, o),
  },
  set_trigger: {
    type: 2,
    check: (s) => {
      if (typeof s.name !== "string" || typeof s.config !== "string") return "spec.name and spec.config must be strings (a trigger's name and 7-field cron expression)";
      return rule(2, "name", s.name) ?? rule(2, "config", s.config);
    },
    fields: ["name", "config"],
    call: (client, t, s, o) => client.setTimerTrigger(t.env, t.functionName, { name: s.name, config: s.config }, o),
  },
  remove_trigger: {
    type: 2,
    check: () => null,
    fields: [],
    call: (client, t, _s, o) => client.removeTimerTrigger(t.env, t.functionName, o),
  },
};

/** What is wrong with an edit `{ kind, spec }`, or null. */
export function checkEdit(edit) {
  if (!isObject(edit)) return "edit must be an object { kind, spec }";
  const kind = KINDS[edit.kind];
  if (!kind) return `edit.kind must be one of ${Object.keys(KINDS).join(", ")}`;
  const spec = edit.spec ?? {};
  if (!isObject(spec)) return "edit.spec must be an object";
  if (Object.keys(spec).some((k) => !kind.fields.includes(k))) return `edit.spec of ${edit.kind} takes ${kind.fields.join(", ") || "nothing"}`;
  return kind.check(spec);
}

/** The edit as shown: set_env's values masked. */
export function presentEdit(edit) {
  if (!edit) return null;
  if (edit.kind !== "set_env" || !isObject(edit.spec?.set)) return edit;
  return { ...edit, spec: { set: Object.fromEntries(Object.keys(edit.spec.set).map((k) => [k, "••••••"])) } };
}

/**
 * Subrequests of one target at most: the read kept for the history, the helper's read, read
 * again, write and read back, and the history's record (a dry run: one read).
 */
export const EDIT_CALLS = 6;
