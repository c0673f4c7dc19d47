// An editor's state and the edit its draft makes, checked by the package's rules. No DOM: the
// draft comes from the inputs, and what is sent or shown is decided here. `pkg` is the
// package module, or `null` when it could not be loaded (then the Worker checks alone).

/** A fresh, closed editor. */
export function editState() {
  return {
    open: false,
    /** "form", "preview" (the dry run's changes), "conflict" or "uncertain". */
    phase: "form",
    busy: false,
    draft: null,
    /** Field errors by field id: `{key, params, live?}`. */
    errors: {},
    /** A note under the form ("nothing to change"), as a string key. */
    note: null,
    /** The edit being previewed: `{op, fields}`. */
    pending: null,
    changes: null,
    /** The error shown: the conflict or uncertain outcome, or a refused request. */
    error: null,
    /** A failed reload, shown in the conflict and uncertain panels. */
    reloadError: null,
  };
}

/** An open editor of `kind`, its draft made from the config shown. */
export function openEditState(kind, config, pkg) {
  return Object.assign(editState(), { open: true, draft: newDraft(kind, config, pkg) });
}

function newDraft(kind, config, pkg) {
  if (kind === "environment") {
    // Rows by variable key (a Map: a key is server text, "__proto__" included). A function
    // without this config starts from the package's empty one.
    const timeout = config?.timeout ?? pkg?.emptyConfig(3).timeout ?? "";
    return { timeout: String(timeout), rows: new Map(), added: [] };
  }
  if (kind === "cloudCall") return { names: "" };
  const current = Array.isArray(config?.triggers) ? config.triggers[0] : null;
  return { name: current?.name ?? "", cron: current?.config ?? "" };
}

/** A new, empty row of the environment draft, for a variable to add. */
export function newRow(id) {
  return { id, key: "", value: "", shown: false };
}

/**
 * What the draft of the editor of `kind` asks for: `{errors, edit}`. `errors` are the field
 * errors by field id; `edit` is `{op, fields}`, or `null` when nothing would change.
 */
export function draftEdit(kind, draft, config, pkg) {
  if (kind === "environment") return environmentEdit(draft, config, pkg);
  if (kind === "cloudCall") return grantEdit(draft, pkg);
  return triggerEdit(draft, pkg);
}

function environmentEdit(draft, config, pkg) {
  const errors = {};
  const items = Array.isArray(config?.environment) ? config.environment : [];
  const current = config?.timeout ?? pkg?.emptyConfig(3).timeout;
  const broken = (field, value) => pkg?.checkField(3, field, value) ?? null;

  const timeoutText = draft.timeout.trim();
  const timeout = Number(timeoutText);
  if (broken("timeout", timeoutText)) errors.timeout = { key: "edit.error.timeout" };

  const set = {};
  // Defined, not assigned: a key named "__proto__" is a key like any other.
  const put = (key, value) => Object.defineProperty(set, key, { value, enumerable: true, writable: true, configurable: true });
  const unset = [];
  for (const item of items) {
    const row = draft.rows.get(item.key);
    if (row?.mode === "change") {
      if (row.value === "") errors[`value:${item.key}`] = { key: "edit.error.valueRequired" };
      else put(item.key, row.value);
    } else if (row?.mode === "delete") {
      unset.push(item.key);
    }
  }
  const existingKeys = new Set(items.map((item) => item.key));
  const seen = new Set();
  for (const row of draft.added) {
    const key = row.key.trim();
    if (key === "" && row.value === "") continue;
    const id = `newKey:${row.id}`;
    const keyBroken = broken("key", key);
    if (keyBroken) errors[id] = { key: keyBroken.code === "required" ? "edit.error.keyRequired" : "edit.error.key" };
    else if (existingKeys.has(key)) errors[id] = { key: "edit.error.keyExists", params: { key } };
    else if (seen.has(key)) errors[id] = { key: "edit.error.keyRepeated", params: { key } };
    else put(key, row.value);
    seen.add(key);
  }

  const fields = {};
  if (Object.keys(set).length) fields.set = set;
  if (unset.length) fields.unset = unset;
  if (!errors.timeout && timeout !== current) fields.timeout = timeout;
  return { errors, edit: Object.keys(fields).length ? { op: "environment", fields } : null };
}

function grantEdit(draft, pkg) {
  const names = [...new Set(draft.names.split(/[\s,，、;；]+/).filter(Boolean))];
  const bad = names.filter((name) => pkg?.checkField(1, "openapi", name));
  const errors = {};
  if (names.length === 0) errors.grant = { key: "edit.error.namesRequired" };
  else if (bad.length) errors.grant = { key: "edit.error.names", params: { names: bad.join(", ") } };
  return { errors, edit: { op: "grant", fields: { names } } };
}

function triggerEdit(draft, pkg) {
  const name = draft.name.trim();
  const expression = draft.cron.trim();
  const errors = {};
  const nameBroken = pkg?.checkField(2, "name", name);
  if (nameBroken) errors["trigger-name"] = { key: nameBroken.code === "required" ? "edit.error.triggerNameRequired" : "edit.error.triggerName" };
  const cronBroken = pkg?.checkField(2, "config", expression);
  if (cronBroken?.code === "required") {
    errors["trigger-cron"] = { key: "edit.error.cronRequired" };
  } else if (cronBroken) {
    // Said by the line under the field, which follows what is typed.
    errors["trigger-cron"] = { key: "timer.scheduleError", params: { reason: cronBroken.message }, live: true };
  }
  return { errors, edit: { op: "trigger", fields: { name, config: expression } } };
}
