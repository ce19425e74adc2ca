#!/usr/bin/env node
// Offline Google Cloud Storage JSON-API emulator for integration tests.
//
// The real work is done by the Firebase Storage emulator (npm `firebase-tools`),
// whose express app is loaded in-process (no firebase CLI, no Java rules runtime).
// A thin HTTP front on 127.0.0.1 adds/patches what the Java client and the Hadoop
// GCS connector (Flink gs plugin) need; see README.md for the list.
//
//   node server.js [--port N] [--host 127.0.0.1] [--project ID]
"use strict";

const fs = require("fs");
const http = require("http");
const net = require("net");
const os = require("os");
const path = require("path");
const zlib = require("zlib");

// ---- offline guard: firebase-tools must never talk to anything but loopback ----
delete process.env.IS_FIREBASE_CLI; // keeps firebase-tools usage analytics off
const LOOPBACK = new Set([undefined, null, "", "localhost", "127.0.0.1", "::1", "[::1]"]);
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let opts = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof opts !== "object" || opts === null) opts = { port: opts, host: args[1] };
  if (!opts.path && !LOOPBACK.has(opts.host)) {
    const err = new Error(`gcs-emulator: refusing non-loopback connection to ${opts.host}`);
    console.error(err.message);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};
console.log = console.error; // stdout carries only the "listening" line

// ---- command line ----
const argv = process.argv.slice(2);
function arg(name, dflt) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}
const HOST = arg("host", "127.0.0.1");
const PORT = Number(arg("port", "0"));
const PROJECT = arg("project", "plantclef-local");
if (!["127.0.0.1", "localhost", "::1"].includes(HOST)) {
  console.error(`refusing to bind non-loopback host ${HOST}`);
  process.exit(2);
}

// ---- the Firebase Storage emulator, constructed but never start()ed ----
const FB = "firebase-tools/lib/emulator";
const { StorageEmulator } = require(`${FB}/storage/index`);
const { createApp } = require(`${FB}/storage/server`);
const { EmulatorRegistry } = require(`${FB}/registry`);
const { EmulatorLogger, Verbosity } = require(`${FB}/emulatorLogger`);
const { CloudStorageObjectMetadata } = require(`${FB}/storage/metadata`);
const { NotFoundError } = require(`${FB}/storage/errors`);
const { UploadStatus } = require(`${FB}/storage/upload`);

EmulatorLogger.setVerbosity(Verbosity.QUIET);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gcs-emulator-"));
StorageEmulator.prototype.getPersistenceTmpDir = () => dataDir; // private blob dir per process
// start() would download/launch the Java rules runtime; the gcloud API only uses the
// admin storage layer (no rules), so we register the instance and build the app ourselves.
const emulator = new StorageEmulator({ projectId: PROJECT, host: HOST, port: PORT, auto_download: false });
EmulatorRegistry.set("storage", emulator); // so self/media links can be built
const store = emulator.adminStorageLayer;
const uploads = emulator.uploadService;
const buckets = emulator._buckets; // Map<name, CloudStorageBucketMetadata>
const finishedUploads = new Map(); // upload_id -> object resource (for retried final chunks)

// ---- small helpers ----
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try { // the Java client gzips JSON request bodies
        resolve(/gzip/i.test(req.headers["content-encoding"] || "") ? zlib.gunzipSync(body) : body);
      } catch (e) { reject(e); }
    });
    req.on("error", reject);
  });
}
function sendJson(res, status, obj, headers = {}) {
  const body = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": body.length, ...headers });
  res.end(body);
}
function sendError(res, status, message, reason = "invalid") {
  sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
}
function parseJson(buf) {
  return buf.length ? JSON.parse(buf.toString("utf8")) : {};
}
const objectJson = (md) => new CloudStorageObjectMetadata(md);
// ifGenerationMatch (0 = "must not exist") as used by both clients for create-if-absent.
function preconditionFails(bucket, name, query) {
  const want = query.get("ifGenerationMatch");
  if (want === null) return false;
  const md = store.getMetadata(bucket, name);
  return want === "0" ? !!md : !md || String(md.generation) !== want;
}
async function storeObject(bucket, name, metadata, data, authorization) {
  const upload = uploads.multipartUpload({ bucketId: bucket, objectId: name, metadata, dataRaw: data, authorization });
  return store.uploadObject(upload);
}

// multipart/related and multipart/mixed: returns [{ headers: {lowercase: value}, body: Buffer }]
function parseMultipart(contentType, body) {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || "");
  if (!m) throw new Error(`no boundary in content type ${contentType}`);
  const delim = Buffer.from(`--${m[1] || m[2]}`);
  const parts = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (body.slice(start, start + 2).toString() === "--") break; // closing delimiter
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    if (body.slice(start, start + 2).toString() === "\r\n") start += 2;
    let end = next;
    if (body.slice(end - 2, end).toString() === "\r\n") end -= 2;
    parts.push(splitHead(body.slice(start, end)));
    pos = next;
  }
  return parts;
}
// "Header: v\r\n...\r\n\r\nbody" -> { headers, body, firstLine }
function splitHead(buf) {
  let sep = buf.indexOf("\r\n\r\n");
  let headEnd = sep, bodyStart = sep + 4;
  if (buf.slice(0, 2).toString() === "\r\n") { headEnd = 0; bodyStart = 2; } // no headers at all
  else if (sep < 0) { headEnd = buf.length; bodyStart = buf.length; }
  const lines = buf.slice(0, headEnd).toString("latin1").split("\r\n");
  const headers = {};
  let firstLine = null;
  lines.forEach((line, i) => {
    const c = line.indexOf(":");
    if (i === 0 && (c < 0 || /^[A-Z]+ \S+ HTTP\/\d/.test(line) || /^HTTP\//.test(line))) { firstLine = line; return; }
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  });
  return { headers, body: buf.slice(bodyStart), firstLine };
}

// ---- handlers added or patched by the wrapper ----

// POST /storage/v1/b?project=...   (bucket create; missing in Firebase)
async function createBucket(req, res) {
  const meta = parseJson(await readBody(req));
  if (!meta.name) return sendError(res, 400, "bucket name required", "required");
  if (buckets.has(meta.name)) return sendError(res, 409, "Your previous request to create the named bucket succeeded and you already own it.", "conflict");
  store.createBucket(meta.name);
  sendJson(res, 200, bucketJson(meta.name));
}
function bucketJson(name) {
  const { port } = server.address();
  return { ...buckets.get(name), selfLink: `http://${HOST}:${port}/storage/v1/b/${encodeURIComponent(name)}` };
}
// GET /storage/v1/b/{b}; Firebase's own GET /b list would call the Firebase management API
// when no bucket exists, so listing is answered here from the in-memory map.
function getBucket(res, name) {
  if (!buckets.has(name)) return sendError(res, 404, "The specified bucket does not exist.", "notFound");
  sendJson(res, 200, bucketJson(name));
}
function listBuckets(res) {
  sendJson(res, 200, { kind: "storage#buckets", items: [...buckets.keys()].sort().map(bucketJson) });
}
function deleteBucket(res, name) {
  if (!buckets.has(name)) return sendError(res, 404, "The specified bucket does not exist.", "notFound");
  const nonEmpty = [...emulator._files.values()].some((f) => f.metadata.bucket === name);
  if (nonEmpty) return sendError(res, 409, "The bucket you tried to delete is not empty.", "conflict");
  buckets.delete(name);
  res.writeHead(204).end();
}

// POST /upload/storage/v1/b/{b}/o?uploadType=multipart   (Firebase's parser requires the part
// to start with exactly one "Content-Type:" header; the Java client also sends
// Content-Length / content-transfer-encoding and may omit the media part's content type)
async function multipartUpload(req, res, bucket, query) {
  let parts;
  try {
    parts = parseMultipart(req.headers["content-type"], await readBody(req));
    if (parts.length !== 2) throw new Error(`expected 2 parts, got ${parts.length}`);
  } catch (e) {
    return sendError(res, 400, `bad multipart upload: ${e.message}`);
  }
  const meta = parseJson(parts[0].body);
  const name = query.get("name") || meta.name;
  if (!name) return sendError(res, 400, "object name required", "required");
  if (preconditionFails(bucket, name, query)) return sendError(res, 412, "Precondition Failed", "conditionNotMet");
  meta.contentType = meta.contentType || parts[1].headers["content-type"] || req.headers["x-upload-content-type"];
  const md = await storeObject(bucket, name, meta, parts[1].body, req.headers.authorization);
  sendJson(res, 200, objectJson(md));
}

// POST /upload/storage/v1/b/{b}/o?uploadType=resumable   (Firebase would do this too, but
// ignores ifGenerationMatch, which both clients use for create-if-absent; checked here and
// again when the upload completes)
const uploadConditions = new Map(); // upload_id -> query of the initiating request
async function startResumable(req, res, bucket, query) {
  const meta = parseJson(await readBody(req));
  const name = query.get("name") || meta.name;
  if (!name) return sendError(res, 400, "object name required", "required");
  if (preconditionFails(bucket, name, query)) return sendError(res, 412, "Precondition Failed", "conditionNotMet");
  const upload = uploads.startResumableUpload({
    bucketId: bucket,
    objectId: name,
    metadata: { contentType: req.headers["x-upload-content-type"], ...meta },
    authorization: req.headers.authorization,
  });
  uploadConditions.set(upload.id, query);
  const location = `http://${req.headers.host}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o` +
    `?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${upload.id}`;
  res.writeHead(200, { Location: location, "Content-Length": 0 }).end();
}

// PUT /upload/storage/v1/b/{b}/o?upload_id=...   (Firebase finalises on the first PUT;
// GCS semantics: "Content-Range: bytes a-b/*" -> 308 + Range, "bytes a-b/N" or
// "bytes */N" completing the object -> 200 + resource, "bytes */*" -> status query)
async function resumableChunk(req, res, uploadId) {
  const data = await readBody(req);
  let upload;
  try {
    upload = uploads.getResumableUpload(uploadId);
  } catch (e) {
    if (e instanceof NotFoundError) return sendError(res, 404, "No such upload", "notFound");
    throw e;
  }
  if (upload.status === UploadStatus.FINISHED) return sendJson(res, 200, finishedUploads.get(uploadId));
  if (upload.status !== UploadStatus.ACTIVE) return sendError(res, 499, "Upload cancelled", "cancelled");

  const cr = (req.headers["content-range"] || "").trim();
  let first = 0, total = null;
  let m;
  if ((m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(cr))) {
    first = Number(m[1]);
    total = m[3] === "*" ? null : Number(m[3]);
  } else if ((m = /^bytes \*\/(\d+|\*)$/.exec(cr))) {
    first = upload.size;
    total = m[1] === "*" ? null : Number(m[1]);
  } else if (cr === "") {
    total = upload.size + data.length; // single shot, whole object in this request
  } else {
    return sendError(res, 400, `bad Content-Range: ${cr}`);
  }
  if (first > upload.size) return sendError(res, 400, `chunk starts at ${first} but only ${upload.size} bytes were received`);
  const fresh = data.slice(upload.size - first); // tolerate re-sent overlapping bytes
  if (fresh.length) uploads.continueResumableUpload(uploadId, fresh);

  if (total !== null && upload.size >= total) {
    uploads.finalizeResumableUpload(uploadId);
    if (preconditionFails(upload.bucketId, upload.objectId, uploadConditions.get(uploadId) || new URLSearchParams())) {
      emulator._persistence.deleteFile(upload.path, true);
      return sendError(res, 412, "Precondition Failed", "conditionNotMet");
    }
    const md = await store.uploadObject(upload);
    const resource = objectJson(md);
    finishedUploads.set(uploadId, resource);
    return sendJson(res, 200, resource);
  }
  const headers = { "Content-Length": 0 };
  if (upload.size > 0) headers.Range = `bytes=0-${upload.size - 1}`;
  res.writeHead(308, headers).end();
}

// DELETE /upload/storage/v1/b/{b}/o?upload_id=...  (cancel)
function cancelUpload(res, uploadId) {
  try {
    uploads.cancelResumableUpload(uploadId);
  } catch (e) {
    return sendError(res, 404, "No such upload", "notFound");
  }
  res.writeHead(499, { "Content-Length": 0 }).end();
}

// GET /storage/v1/b/{b}/o?...&includeTrailingDelimiter=true  (Firebase ignores the flag;
// the Hadoop connector uses it to see "dir/" placeholder objects next to prefixes)
async function listObjects(req, res, bucket, query) {
  const list = await store.listObjects({
    bucketId: bucket,
    prefix: query.get("prefix") || "",
    delimiter: query.get("delimiter") || "",
    pageToken: query.get("pageToken") || undefined,
    maxResults: query.get("maxResults") ? Number(query.get("maxResults")) : undefined,
    authorization: req.headers.authorization,
  });
  let items = list.items || [];
  if (query.get("includeTrailingDelimiter") === "true" && list.prefixes) {
    const placeholders = list.prefixes.map((p) => store.getMetadata(bucket, p)).filter(Boolean);
    items = items.concat(placeholders).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const out = { kind: "storage#objects" };
  if (list.nextPageToken) out.nextPageToken = list.nextPageToken;
  if (list.prefixes) out.prefixes = list.prefixes;
  if (items.length) out.items = items.map(objectJson);
  sendJson(res, 200, out);
}

// POST /storage/v1/b/{b}/o/{dest}/compose   (missing in Firebase)
async function compose(req, res, bucket, destName, query) {
  const body = parseJson(await readBody(req));
  const sources = body.sourceObjects || [];
  if (!sources.length || sources.length > 32) return sendError(res, 400, "1 to 32 sourceObjects required", "required");
  const chunks = [];
  for (const s of sources) {
    const md = store.getMetadata(bucket, s.name);
    if (!md || (s.generation && String(md.generation) !== String(s.generation))) {
      return sendError(res, 404, `No such object: ${bucket}/${s.name}`, "notFound");
    }
    chunks.push(store.getBytes(bucket, s.name));
  }
  if (preconditionFails(bucket, destName, query)) return sendError(res, 412, "Precondition Failed", "conditionNotMet");
  const first = store.getMetadata(bucket, sources[0].name);
  const meta = { contentType: first.contentType, ...(body.destination || {}) };
  const md = await storeObject(bucket, destName, meta, Buffer.concat(chunks), req.headers.authorization);
  sendJson(res, 200, objectJson(md));
}

// POST /batch/storage/v1   (missing in Firebase): every application/http part is replayed
// against this server over loopback and the answers are packed into multipart/mixed.
async function batch(req, res) {
  let parts;
  try {
    parts = parseMultipart(req.headers["content-type"], await readBody(req));
  } catch (e) {
    return sendError(res, 400, `bad batch request: ${e.message}`);
  }
  const boundary = `batch_${Date.now().toString(36)}`;
  const out = [];
  for (const part of parts) {
    const inner = splitHead(part.body);
    const [method, target] = (inner.firstLine || "").split(" ");
    const url = new URL(target, "http://placeholder"); // target may be a path or an absolute URL
    const headers = { ...inner.headers };
    delete headers.host;
    if (inner.body.length) headers["content-length"] = inner.body.length;
    const reply = await loopback(method, url.pathname + url.search, headers, inner.body);
    const id = (part.headers["content-id"] || "").replace(/^<?(.*?)>?$/, "$1");
    out.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-${id}>\r\n\r\n` +
          `HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] || ""}\r\n` +
          `Content-Type: ${reply.headers["content-type"] || "application/json; charset=UTF-8"}\r\n` +
          `Content-Length: ${reply.body.length}\r\n\r\n`,
        "latin1"
      ),
      reply.body,
      Buffer.from("\r\n")
    );
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(out);
  res.writeHead(200, { "Content-Type": `multipart/mixed; boundary=${boundary}`, "Content-Length": body.length });
  res.end(body);
}
function loopback(method, urlPath, headers, body) {
  return new Promise((resolve, reject) => {
    const { port } = server.address();
    const r = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers }, (resp) => {
      readBody(resp).then((b) => resolve({ status: resp.statusCode, headers: resp.headers, body: b }), reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

// ---- fault injection (tests of retries and timeouts) ----
// POST /_faults {"match": "part of the decoded path", "mode": "error"|"hang", "status": 503,
// "times": N (-1 = always)} adds a rule; DELETE /_faults clears them; GET /_faults lists them
// with "hits", how many requests each has failed. The first rule matching a request whose
// decoded path contains "match" and with tries left fails it: "error" answers `status` with a
// JSON-API error body, "hang" accepts the request and never answers (the socket is closed when
// the server stops).
let faults = [];
const hanging = new Set();
async function faultRoute(req, res, p) {
  if (req.method === "POST") {
    const rule = parseJson(await readBody(req));
    if (typeof rule.match !== "string" || !["error", "hang"].includes(rule.mode)) {
      return sendError(res, 400, 'need {"match": string, "mode": "error"|"hang"}');
    }
    faults.push({ match: rule.match, mode: rule.mode, status: rule.status || 503, times: rule.times ?? -1, hits: 0 });
    return sendJson(res, 200, { faults });
  }
  if (req.method === "DELETE") { faults = []; return sendJson(res, 200, { faults }); }
  return sendJson(res, 200, { faults });
}
function injectFault(req, res, p) {
  const rule = faults.find((f) => f.times !== 0 && p.includes(f.match));
  if (!rule) return false;
  if (rule.times > 0) rule.times--;
  rule.hits++;
  if (rule.mode === "hang") {
    hanging.add(res);
    res.on("close", () => hanging.delete(res));
  } else {
    sendError(res, rule.status, `injected fault for ${p}`, "backendError");
  }
  return true;
}

// ---- routing: wrapper routes first, everything else goes to the Firebase app ----
let firebaseApp;
async function route(req, res) {
  const url = new URL(req.url, "http://127.0.0.1");
  const q = url.searchParams;
  const p = url.pathname;
  const method = req.method;
  let m;
  if (p === "/_faults") return faultRoute(req, res, p);
  if (faults.length && injectFault(req, res, decodeURIComponent(p))) return;
  if (/^\/(internal|v0)(\/|$)/.test(p)) return sendError(res, 404, "not available in this emulator", "notFound");
  if (p === "/storage/v1/b" || p === "/b") {
    if (method === "POST") return createBucket(req, res);
    if (method === "GET") return listBuckets(res);
  }
  if ((m = /^\/storage\/v1\/b\/([^/]+)\/?$/.exec(p))) {
    const b = decodeURIComponent(m[1]);
    if (method === "GET") return getBucket(res, b);
    if (method === "DELETE") return deleteBucket(res, b);
  }
  if ((m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(p))) {
    const b = decodeURIComponent(m[1]);
    const type = q.get("uploadType") || req.headers["x-goog-upload-protocol"];
    if (method === "POST" && type === "multipart") return multipartUpload(req, res, b, q);
    if (method === "POST" && type === "resumable") return startResumable(req, res, b, q);
    if (method === "PUT" && q.get("upload_id")) return resumableChunk(req, res, q.get("upload_id"));
    if (method === "DELETE" && q.get("upload_id")) return cancelUpload(res, q.get("upload_id"));
  }
  if (method === "GET" && (m = /^\/(?:storage\/v1\/)?b\/([^/]+)\/o$/.exec(p))) {
    return listObjects(req, res, decodeURIComponent(m[1]), q);
  }
  if (method === "POST" && (m = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/compose$/.exec(p))) {
    return compose(req, res, decodeURIComponent(m[1]), decodeURIComponent(m[2]), q);
  }
  if (method === "POST" && /^\/batch(\/storage\/v1)?$/.test(p)) return batch(req, res);
  if (method === "POST" && /^\/storage\/v1\/b\/[^/]+\/o\/[^/]+\/(rewriteTo|copyTo)\//.test(p)) {
    req.url = req.url.slice("/storage/v1".length); // Firebase serves these without the prefix
  }
  firebaseApp(req, res);
}

const server = http.createServer((req, res) => {
  if (process.env.GCS_EMULATOR_LOG) res.on("finish", () => console.error(`${req.method} ${req.url} -> ${res.statusCode}`));
  route(req, res).catch((e) => {
    console.error(`gcs-emulator: ${req.method} ${req.url} failed:`, e);
    if (!res.headersSent) sendError(res, 500, String(e && e.message), "backendError");
    else res.destroy();
  });
});

async function main() {
  firebaseApp = await createApp(PROJECT, emulator);
  await new Promise((resolve, reject) => server.once("error", reject).listen(PORT, HOST, resolve));
  emulator.args.port = server.address().port; // used by Firebase for selfLink/mediaLink
  process.stdout.write(`GCS emulator listening on http://${HOST}:${server.address().port}\n`);
}

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
