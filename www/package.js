// The package's browser build (www/pkg/, copied there by scripts/build.sh), loaded once, the
// first time the page needs it: for direct mode, a trigger's timeline, or an editor, whose
// inputs are checked by the package's own rules (`checkField`). Until then the page draws
// without it (the Worker masks and checks everything itself).

let loaded = null;
let loading = null;

/** Loads the package once; resolves to the module. A failed load may be tried again. */
export function loadPackage() {
  loading ??= import("./pkg/browser.js").then(
    (module) => (loaded = module),
    (error) => {
      loading = null;
      throw error;
    });
  return loading;
}

/** The package if it is loaded, else `null`. */
export function packageModule() {
  return loaded;
}
