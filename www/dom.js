// The only way this page creates elements. Text always goes in as text nodes, so nothing the
// server sends can become markup.

/**
 * Creates `<tag>` with attributes and children.
 * `attrs`: `class` (string), `hidden`/`disabled` (booleans), `on` ({event: handler}),
 * `dataset` ({name: value}); any other key is set with setAttribute. `null`/`undefined`/`false`
 * values are skipped. Children: nodes, strings (as text), arrays, or null (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (name === "dataset") {
      for (const [key, v] of Object.entries(value)) el.dataset[key] = String(v);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "hidden" || name === "disabled") {
      el[name] = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Creates an SVG element `<tag>`: attributes are set with setAttribute (`class` included),
 * `null`/`undefined`/`false` skipped; children as for {@link h}.
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings as text nodes, nested arrays; null skipped). */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** A fresh element id: `prefix-N`, unique on the page. */
let nextId = 0;
export const uid = (prefix) => `${prefix}-${++nextId}`;

/** A line that says something is under way: a spinner, then `text`. `attrs` as for {@link h}. */
export function busyLine(text, attrs = {}) {
  return h("p", { class: "busy", ...attrs }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/**
 * What the page draws for a hidden value: the text the package masks values with
 * (`defaults().mask`), kept here because the page draws hidden values without the package (a
 * viewer in Worker mode never loads it) and draws these dots whatever a server sent.
 */
export const DOTS = "••••••";
