// A Fedify peer for Herald's interoperability tests. The Go package
// fedifytest writes this file into the npm cache (so that its imports find
// node_modules there) and runs it with Node. It serves one actor, "peer",
// over HTTP on 127.0.0.1 and prints "LISTENING <origin>" once it is ready;
// the test drives it through a JSON API under /control/.
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { configure } from "@logtape/logtape";
import { createFederation, MemoryKvStore } from "@fedify/fedify";
import {
  Activity, Announce, Create, Endpoints, Follow, Like, Note, Person, Undo,
  PUBLIC_COLLECTION, isActor,
} from "@fedify/vocab";

const IDENTIFIER = "peer";

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr(record) {
      const msg = record.message.map((m) => typeof m === "string" ? m : JSON.stringify(m)).join("");
      process.stderr.write(`${record.level} ${record.category.join(".")}: ${msg}\n`);
    },
  },
  loggers: [
    { category: "fedify", lowestLevel: process.env.PEER_LOG_LEVEL || "info", sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});

// 2048 bits, as Herald and Mastodon use: quicker to make than Fedify's 4096.
const keyPair = await crypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true, ["sign", "verify"]);

const federation = createFederation({
  kv: new MemoryKvStore(),
  allowPrivateAddress: true, // Herald's test server is on 127.0.0.1
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => identifier === IDENTIFIER ? [keyPair] : []);

// What the inboxes received, in order, for /control/inbox.
const received = [];
// Raw JSON of inbox POSTs by activity ID, so the test sees what Herald sent.
const bodies = new Map();
// Every inbox POST: which signature it carried and what Fedify answered.
const posts = [];

function record(ctx, activity, verified, reason) {
  const id = activity.id?.href ?? null;
  const json = bodies.get(id) ?? null;
  received.push({
    id,
    type: typeof json?.type === "string" ? json.type : activity.constructor.name,
    actor: activity.actorId?.href ?? null,
    object: activity.objectId?.href ?? null,
    objectType: json && typeof json.object === "object" && json.object ? json.object.type ?? null : null,
    verified,
    reason: reason ? reason.type ?? String(reason) : null,
    shared: ctx.recipient == null,
    json,
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Activity, (ctx, activity) => record(ctx, activity, true))
  .onUnverifiedActivity((ctx, activity, reason) => { record(ctx, activity, false, reason); });

const follows = new Map(); // Follow ID → { follow, target }

async function lookupActor(ctx, target) {
  const actor = await ctx.lookupObject(target);
  if (!isActor(actor)) throw new Error(`${target} is not an actor (${actor?.constructor?.name ?? "nothing found"})`);
  return actor;
}

function activityId(origin) {
  return new URL(`/activities/${crypto.randomUUID()}`, origin);
}

async function control(ctx, path, body) {
  const me = ctx.getActorUri(IDENTIFIER);
  const sender = { identifier: IDENTIFIER };
  switch (path) {
    case "/control/info":
      return { actor: me.href, inbox: ctx.getInboxUri(IDENTIFIER).href, sharedInbox: ctx.getInboxUri().href };
    case "/control/inbox":
      return { received, posts };
    case "/control/follow": {
      const target = await lookupActor(ctx, body.target);
      const follow = new Follow({ id: activityId(ctx.origin), actor: me, object: target.id });
      await ctx.sendActivity(sender, target, follow);
      follows.set(follow.id.href, { follow, target });
      return {
        id: follow.id.href, actor: target.id.href, inbox: target.inboxId?.href ?? null,
        sharedInbox: target.endpoints?.sharedInbox?.href ?? null,
      };
    }
    case "/control/undo": {
      const f = follows.get(body.follow);
      if (!f) throw new Error(`no follow ${body.follow}`);
      const undo = new Undo({ id: activityId(ctx.origin), actor: me, object: f.follow });
      await ctx.sendActivity(sender, f.target, undo);
      follows.delete(body.follow);
      return { id: undo.id.href };
    }
    case "/control/like": {
      const target = await lookupActor(ctx, body.to);
      const like = new Like({ id: activityId(ctx.origin), actor: me, object: new URL(body.object) });
      await ctx.sendActivity(sender, target, like);
      return { id: like.id.href };
    }
    case "/control/announce": {
      const target = await lookupActor(ctx, body.to);
      const announce = new Announce({
        id: activityId(ctx.origin), actor: me, object: new URL(body.object),
        to: PUBLIC_COLLECTION, ccs: [target.id],
      });
      await ctx.sendActivity(sender, target, announce);
      return { id: announce.id.href };
    }
    case "/control/reply": {
      const target = await lookupActor(ctx, body.to);
      const note = new Note({
        id: new URL(`/notes/${crypto.randomUUID()}`, ctx.origin), attribution: me, content: body.content,
        replyTarget: new URL(body.inReplyTo), to: PUBLIC_COLLECTION, ccs: [target.id],
      });
      const create = new Create({
        id: activityId(ctx.origin), actor: me, object: note, to: PUBLIC_COLLECTION, ccs: [target.id],
      });
      await ctx.sendActivity(sender, target, create);
      return { id: create.id.href, note: note.id.href };
    }
  }
  const err = new Error(`unknown control ${path}`);
  err.status = 404;
  throw err;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function reply(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

let origin;
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, origin);
    const body = await readBody(req);
    if (url.pathname.startsWith("/control/")) {
      const ctx = federation.createContext(new URL(origin), undefined);
      try {
        return reply(res, 200, await control(ctx, url.pathname, body.length ? JSON.parse(body) : {}));
      } catch (e) {
        process.stderr.write(`control ${url.pathname}: ${e.stack ?? e}\n`);
        return reply(res, e.status ?? 500, { error: String(e?.message ?? e) });
      }
    }
    const inbox = req.method === "POST" && (url.pathname === "/inbox" || url.pathname.endsWith("/inbox"));
    if (inbox) {
      try {
        const json = JSON.parse(body);
        if (typeof json.id === "string") bodies.set(json.id, json);
      } catch { /* Fedify answers malformed bodies itself */ }
    }
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const request = new Request(url, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await federation.fetch(request, { contextData: undefined });
    if (inbox) {
      posts.push({
        path: url.pathname,
        signature: headers.has("signature-input") ? "rfc9421" : headers.has("signature") ? "draft-cavage" : "none",
        status: response.status,
      });
    }
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders = {};
    response.headers.forEach((v, k) => { outHeaders[k] = v; });
    res.writeHead(response.status, outHeaders);
    res.end(out);
  } catch (e) {
    process.stderr.write(`request ${req.method} ${req.url}: ${e.stack ?? e}\n`);
    if (!res.headersSent) reply(res, 500, { error: String(e) });
    else res.end();
  }
});

server.listen(0, "127.0.0.1", () => {
  origin = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`LISTENING ${origin}\n`);
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
