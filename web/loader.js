// The page's loader (ARCHITECTURE.md, "A module per lab"). Each lab has a
// wasm module of its own, and the home page goes with the Models lab's;
// this script loads the module of the route that is open, and another
// lab's module the first time that lab is opened. A loaded module stays:
// its app renders nothing on another module's route and comes back on its
// own. The build (scripts/modules.mjs) writes this script into index.html
// with the modules' content-named files and the list of labs
// (web/labs.json) in place of the two lines below.
const MODULES = {};
const LABS = { home: null, labs: [] };

// The lab of a location's fragment, by the rule of interleave_core's
// `Fragment::parse` and `Route::module`: the path before `?`, without
// trailing slashes, is a lab's `/name` (or its bare name, an old in-page
// anchor); the home page and an unknown path go with the home lab.
const pathOf = (hash) => hash.replace(/^#/, '').split('?')[0].replace(/\/+$/, '');
const labOf = (hash) => {
  const path = pathOf(hash);
  return LABS.labs.find((lab) => path === lab.path || path === lab.name);
};
const moduleFor = (hash) => labOf(hash)?.name ?? LABS.home;
// What the page is loading: the lab's name, or the site's for the home page.
const labelFor = (hash) => labOf(hash)?.label ?? 'Interleave';

// The fragment's parameters (`#/races?s=…&embed&theme=dark`), and the
// query's, where an embed may say `?embed`.
const params = () => new URLSearchParams(location.hash.split('?')[1] ?? '');
const asked = (list, key) => list.has(key) && list.get(key) !== '0';

const absolute = (url) => new URL(url, document.baseURI).href;
const loads = new Map();
const ready = new Set();
const shell = document.getElementById('loading');
const status = document.getElementById('loading-status');

// What the page shows while no loaded module renders the route: the
// header (not in an embed) and `text`; nothing, and out of the document,
// when `text` is null (the app's own header and nav are then the only ones).
function say(text, failed = false) {
  status.textContent = text ?? '';
  status.setAttribute('role', failed ? 'alert' : 'status');
  status.classList.toggle('failed', failed);
  if (text === null) {
    shell.remove();
    return;
  }
  if (!shell.isConnected) document.getElementById('app').prepend(shell);
  shell.querySelector('header').hidden = asked(params(), 'embed') || asked(new URLSearchParams(location.search), 'embed');
  for (const link of shell.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === `#${pathOf(location.hash)}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // The link's theme, as the app sets it once mounted.
  const theme = params().get('theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
}

// Loads and mounts a module once; the glue and the wasm download together.
function load(name) {
  if (!loads.has(name)) {
    const { js, wasm } = MODULES[name];
    const wasmResponse = fetch(wasm);
    loads.set(
      name,
      import(js).then(async (pkg) => {
        await pkg.default({ module_or_path: wasmResponse });
        const root = document.createElement('div');
        root.className = 'module-root';
        root.dataset.module = name;
        document.getElementById('app').append(root);
        pkg.mount(root, absolute(MODULES.worker.js), absolute(MODULES.worker.wasm));
        return pkg;
      }),
    );
  }
  return loads.get(name);
}

async function show() {
  const name = moduleFor(location.hash);
  const label = labelFor(location.hash);
  if (!ready.has(name)) say(`Loading ${label}…`);
  try {
    const pkg = await load(name);
    ready.add(name);
    if (moduleFor(location.hash) === name) {
      window.wasmBindings = pkg;
      // After the app's first frame, so the page is never blank between.
      await new Promise(requestAnimationFrame);
      if (moduleFor(location.hash) === name) say(null);
    }
  } catch (error) {
    // A later visit to the route tries again.
    loads.delete(name);
    if (moduleFor(location.hash) === name) {
      say(`Could not load ${label}: ${error?.message ?? error}. Check the connection and reload the page.`, true);
    }
  }
}

addEventListener('hashchange', show);
await show();

// sw.js keeps the page working offline once loaded.
if (isSecureContext && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => {});
}
