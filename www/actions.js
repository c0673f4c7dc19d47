// What the user asks of the source: a query, a page of the function list, a comparison, a
// card read again, a value revealed, an edit sent. Each asks the source, makes the model's
// transition and has the view draw it; a newer request of the same kind cancels the older,
// and a key the Worker no longer takes signs the user out.

import { validChanges } from "./changes.js";
import { t } from "./i18n.js";
import { NOT_CONFIGURED, PAGE_SIZE, TYPE_OF, asPageError } from "./source.js";
import {
  browseAnswered, browseStarted, cardReloaded, cardSaved, compareStarted, queryAnswered, queryEnded, queryStarted,
  requestEnded, state,
} from "./state.js";
import { signOut, signedOutBy } from "./session.js";
import { rememberQuery } from "./storage.js";
import {
  announce, focusBrowse, refreshCard, renderBrowse, renderBusy, renderCompare, renderRecent, renderResults,
} from "./view.js";

/** Looks up `query` (`{appid?, env, functionName, type}`; the source acts for the app chosen). */
export async function runQuery(query) {
  if (!state.source) return;
  const controller = queryStarted();
  rememberQuery(query);
  renderBusy();
  renderRecent();
  try {
    const results = await state.source.configs(query, controller.signal);
    if (controller.signal.aborted) return;
    queryAnswered(query, { results });
  } catch (error) {
    if (controller.signal.aborted || signedOutBy(error)) return;
    queryAnswered(query, { error: asPageError(error) });
  } finally {
    if (queryEnded(controller)) renderBusy();
  }
  renderRecent();
  renderResults();
  if (state.browse && !state.browse.busy) renderBrowse();
  // Errors announce themselves (role="alert"); a success is announced in one short line.
  if (state.outcome?.results) announce(t("results.heading", { env: query.env, functionName: query.functionName }));
}

/**
 * Loads one page of the functions of `env`. `focusOn`: "heading" (a new list), or the pager
 * button pressed ("prev" / "next"), which keeps focus while it can.
 */
export async function loadFunctions(env, offset, focusOn) {
  if (!state.source) return;
  const browse = browseStarted(env, offset);
  const { signal } = browse.controller;
  renderBrowse();
  try {
    const page = await state.source.functions({ env, offset, limit: PAGE_SIZE }, signal);
    if (signal.aborted) return;
    browseAnswered(browse, page, offset);
  } catch (error) {
    if (signal.aborted) return;
    if (Number(error?.errcode) === NOT_CONFIGURED) {
      // WeChat answers an environment it does not know (or without functions) with 85089.
      browseAnswered(browse, { total: 0, functions: [] }, 0);
    } else if (signedOutBy(error)) {
      return;
    } else {
      browse.error = asPageError(error);
    }
  }
  if (!requestEnded("browse", browse)) return;
  renderBrowse();
  focusBrowse(focusOn);
  announce(browse.error ? t("browse.failed")
    : t(browse.total === 1 ? "browse.count.one" : "browse.count.other", { total: browse.total }));
}

/** Compares `query` (`{functionName, envA, envB, type}`). */
export async function runCompare(query) {
  if (!state.source) return;
  const compare = compareStarted(query);
  const { signal } = compare.controller;
  renderCompare();
  try {
    compare.result = await state.source.compare(query, signal);
  } catch (error) {
    if (signal.aborted || signedOutBy(error)) return;
    compare.error = asPageError(error);
  }
  if (!requestEnded("compare", compare)) return;
  renderCompare();
  announce(compare.error ? t("compare.failed")
    : t("compare.heading", { functionName: query.functionName, envA: query.envA, envB: query.envB }));
}

/** The clear value of row `index` of the masked environment `config`. */
export function reveal(config, index) {
  return state.source.reveal(config, index);
}

/** What the editor of the card of `kind` needs: where it writes, how, and what to do with the outcome. */
export function editContext(kind, cs, query) {
  const outcome = state.outcome;
  // The source of the app the card belongs to, whatever is chosen by the time an edit is sent.
  const source = state.source;
  const current = () => state.outcome === outcome && state.cardStates[kind] === cs;
  return {
    where: { env: query.env, functionName: query.functionName },
    send: (op, fields, dryRun) => source.edit(op, {
      env: query.env, functionName: query.functionName, config: outcome.results[kind], fields, dryRun,
    }),
    saved(result) {
      const n = validChanges(result.changes).length;
      const notice = result.written ? { key: n === 1 ? "edit.saved.one" : "edit.saved.other", params: { n } } : { key: "edit.nothing" };
      announce(t(notice.key, notice.params));
      if (!current()) return;
      // The card shows what the server answered, with its new version.
      cardSaved(kind, cs, result.config, notice);
      refreshCard(kind, cs, '[data-focus="notice"]');
    },
    reload: () => reloadCard(kind, cs),
    rerender: (focus) => refreshCard(kind, cs, focus),
    announce,
    unauthorized: () => signOut("signin.expired"),
  };
}

/** Reads the config of `kind` again (after a conflict or an uncertain write); the edit is discarded. */
async function reloadCard(kind, cs) {
  const outcome = state.outcome;
  const { env, functionName } = outcome.query;
  refreshCard(kind, cs, '[data-focus="busy"]');
  try {
    const results = await state.source.configs({ env, functionName, type: TYPE_OF[kind] });
    if (state.outcome !== outcome || state.cardStates[kind] !== cs) return;
    refreshCard(kind, cardReloaded(kind, results[kind] ?? null), '[data-focus="notice"]');
    announce(t("edit.reloaded"));
  } catch (error) {
    if (signedOutBy(error) || !cs.edit) return;
    cs.edit.busy = false;
    cs.edit.reloadError = asPageError(error);
    refreshCard(kind, cs, '[data-action="reload"]');
  }
}
