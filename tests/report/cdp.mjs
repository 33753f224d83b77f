// Opens an emlkit report in headless Chromium through the DevTools protocol
// and prints, as JSON, what a hostile page would have to do to be noticed:
// every network request, console call, exception, dialog, navigation and
// CSP/security log entry, plus DOM and layout facts; saves a full-page PNG.
//
// No npm packages: Node's WebSocket (`--experimental-websocket` on Node 20,
// built in from 22). Used by tests/cli/report.rs; skipped there when node or
// chromium is missing.
//
//   node --experimental-websocket tests/report/cdp.mjs CHROMIUM PAGE.html OUT.png [WIDTH]

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [chromium, page, png, widthArg] = process.argv.slice(2);
const width = Number(widthArg || 1280);
const profile = mkdtempSync(join(tmpdir(), "emlkit-cdp-"));
// The flags the machine notes require (closed network, no background
// traffic), and a fresh profile.
const proc = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-extensions", "--disable-default-apps", "--mute-audio",
  `--user-data-dir=${profile}`, "--remote-debugging-port=0", `--window-size=${width},900`,
  "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

let done = false;
const fail = (m) => {
  if (done) return;
  try { proc.kill("SIGKILL"); } catch {}
  try { rmSync(profile, { recursive: true, force: true }); } catch {}
  console.error(m);
  process.exit(3);
};
setTimeout(() => fail("timeout"), 60000).unref();

const wsUrl = await new Promise((ok) => {
  let buf = "";
  proc.stderr.on("data", (d) => {
    buf += d.toString();
    const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) ok(m[1]);
  });
  proc.on("exit", () => fail("chromium exited: " + buf.slice(-2000)));
});

const ws = new WebSocket(wsUrl);
await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = ko; });
let nextId = 1;
const pending = new Map();
const events = [];
const waiters = [];
ws.onmessage = (e) => {
  const msg = JSON.parse(e.data);
  if (msg.id && pending.has(msg.id)) {
    const { ok, ko } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? ko(new Error(JSON.stringify(msg.error))) : ok(msg.result);
  } else if (msg.method) {
    events.push(msg);
    for (const w of waiters.splice(0)) w(msg);
  }
};
const send = (method, params = {}, sessionId) => new Promise((ok, ko) => {
  const id = nextId++;
  pending.set(id, { ok, ko });
  ws.send(JSON.stringify({ id, method, params, sessionId }));
});
const waitFor = (method) => new Promise((ok) => {
  const check = (m) => (m.method === method ? ok(m) : waiters.push(check));
  waiters.push(check);
});

const { targetId } = await send("Target.createTarget", { url: "about:blank" });
const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
const s = (m, p) => send(m, p, sessionId);
for (const d of ["Network", "Runtime", "Page", "Log"]) await s(`${d}.enable`);
// A dialog would block the page: answer it (and record it).
ws.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.method === "Page.javascriptDialogOpening") s("Page.handleJavaScriptDialog", { accept: false });
});
const dbg = (m) => process.env.CDP_DEBUG && console.error(Date.now(), m);
const url = pathToFileURL(resolve(page)).href;
const loaded = waitFor("Page.loadEventFired");
const t0 = Date.now();
await s("Page.navigate", { url });
await loaded;
dbg("loaded");
const loadMs = Date.now() - t0;
// Give timers, meta refreshes and lazy loads a chance to fire.
await new Promise((r) => setTimeout(r, 1500));

const probe = `JSON.stringify((() => {
  const all = [...document.querySelectorAll('*')];
  return {
    title: document.title,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    height: document.documentElement.scrollHeight,
    scripts: document.scripts.length,
    handlers: all.filter(e => [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))).length,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => !h.startsWith('#')),
    embedded: document.querySelectorAll('iframe,frame,object,embed,img,video,audio,link,base,form,input,button,foreignObject,use,image').length,
    metas: [...document.querySelectorAll('meta')].map(m => (m.getAttribute('http-equiv') || m.getAttribute('name') || m.getAttribute('charset') || '').toLowerCase()),
    styles: document.querySelectorAll('style').length,
    url: location.href,
  };
})())`;
dbg("probe");
const facts = JSON.parse((await s("Runtime.evaluate", { expression: probe, returnByValue: true })).result.value);
const dom = (await s("Runtime.evaluate", { expression: "document.documentElement.outerHTML", returnByValue: true })).result.value;

// The top of the page, up to 6000 px (a capture of a 12000 px page did
// not finish in 60 s in headless Chromium here).
const h = Math.min(Math.max(facts.height, 600), 6000);
await s("Emulation.setDeviceMetricsOverride", { width, height: h, deviceScaleFactor: 1, mobile: false });
dbg("shot");
const shot = await s("Page.captureScreenshot", { format: "png" });
writeFileSync(png, Buffer.from(shot.data, "base64"));

const pick = (name) => events.filter((e) => e.method === name);
const out = {
  loadMs,
  facts,
  requests: pick("Network.requestWillBeSent").map((e) => e.params.request.url).filter((u) => u !== url && !u.startsWith("data:")),
  console: pick("Runtime.consoleAPICalled").map((e) => e.params.type + ": " + JSON.stringify(e.params.args)),
  exceptions: pick("Runtime.exceptionThrown").map((e) => e.params.exceptionDetails.text),
  dialogs: pick("Page.javascriptDialogOpening").map((e) => e.params.message),
  navigations: pick("Page.frameNavigated").map((e) => e.params.frame.url).filter((u) => u !== url && u !== "about:blank"),
  log: pick("Log.entryAdded").map((e) => e.params.entry.source + ": " + e.params.entry.text),
  dom,
};
done = true;
const exited = new Promise((r) => proc.once("exit", r));
// Browser.close may never be answered (the browser goes first): not awaited.
send("Browser.close").catch(() => {});
proc.kill("SIGKILL");
await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
try { ws.close(); } catch {}
// The profile is scratch: a file the browser still writes must not fail the run.
try { rmSync(profile, { recursive: true, force: true }); } catch {}
// Exit only once the output is flushed: a pipe would lose the tail.
process.stdout.write(JSON.stringify(out), () => process.exit(0));
