#!/usr/bin/env node
// Self-test: starts server.js on a free port and replays the HTTP calls made by the
// google-cloud-storage Java client and the Hadoop GCS connector. Exit code 0 = all passed.
"use strict";

const { spawn } = require("child_process");
const crypto = require("crypto");
const http = require("http");
const path = require("path");

const BUCKET = "plantclef-test";
let base;
let failures = 0;

function request(method, urlPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(urlPath, base);
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    if (data) headers = { "Content-Length": data.length, ...headers };
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(buf.toString()); } catch (e) { /* not json */ }
        resolve({ status: res.statusCode, headers: res.headers, body: buf, json });
      });
    });
    req.on("error", reject);
    req.end(data);
  });
}
function check(name, cond, detail) {
  if (cond) console.log(`ok   - ${name}`);
  else { failures++; console.log(`FAIL - ${name}${detail === undefined ? "" : `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`); }
}
const enc = encodeURIComponent;
const md5 = (b) => crypto.createHash("md5").update(b).digest("base64");

// Body exactly as google-http-client's MultipartContent writes it for storage.create(BlobInfo, byte[]):
// every part carries Content-Length + Content-Type + content-transfer-encoding; the media part
// has no Content-Type when the BlobInfo has none.
function javaMultipart(meta, data, mediaType) {
  const boundary = "__END_OF_PART__" + crypto.randomUUID() + "__";
  const json = Buffer.from(JSON.stringify(meta));
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Length: ${json.length}\r\nContent-Type: application/json; charset=UTF-8\r\ncontent-transfer-encoding: binary\r\n\r\n`),
    json,
    Buffer.from(`\r\n--${boundary}\r\nContent-Length: ${data.length}\r\n` + (mediaType ? `Content-Type: ${mediaType}\r\n` : "") + "content-transfer-encoding: binary\r\n\r\n"),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/related; boundary=${boundary}` };
}
async function multipartUpload(name, data, mediaType, extraQuery = "") {
  const { body, contentType } = javaMultipart({ bucket: BUCKET, name }, data, mediaType);
  return request("POST", `/upload/storage/v1/b/${BUCKET}/o?projection=full&uploadType=multipart${extraQuery}`, {
    headers: { "Content-Type": contentType, "User-Agent": "gcloud-java/selftest" },
    body,
  });
}

async function run() {
  // --- buckets ---
  let r = await request("POST", "/storage/v1/b?project=plantclef-local&projection=full", {
    headers: { "Content-Type": "application/json; charset=UTF-8" },
    body: { name: BUCKET },
  });
  check("bucket create POST /storage/v1/b", r.status === 200 && r.json.name === BUCKET, r.status);
  r = await request("POST", "/storage/v1/b?project=plantclef-local", { headers: { "Content-Type": "application/json" }, body: { name: BUCKET } });
  check("bucket create again -> 409", r.status === 409, r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}?projection=full`);
  check("bucket get", r.status === 200 && r.json.name === BUCKET && r.json.kind === "storage#bucket", r.status);
  r = await request("POST", "/storage/v1/b?project=plantclef-local", { // the Java client gzips JSON bodies
    headers: { "Content-Type": "application/json; charset=UTF-8", "Content-Encoding": "gzip" },
    body: require("zlib").gzipSync(JSON.stringify({ name: "gzipped-bucket" })),
  });
  check("bucket create with gzip-encoded JSON body", r.status === 200 && r.json.name === "gzipped-bucket", r.status);
  r = await request("GET", "/storage/v1/b/no-such-bucket");
  check("bucket get missing -> 404", r.status === 404 && r.json.error.code === 404, r.status);
  r = await request("GET", "/storage/v1/b?project=plantclef-local");
  check("bucket list", r.status === 200 && r.json.items.some((b) => b.name === BUCKET), r.status);

  // --- multipart uploads in the Java client's format ---
  const small = Buffer.from("hello multipart world 0123456789");
  r = await multipartUpload("dir/a.txt", small, null);
  check("multipart upload, media part without Content-Type", r.status === 200 && r.json.name === "dir/a.txt" && r.json.size === String(small.length) && r.json.md5Hash === md5(small), r.status === 200 ? r.json : r.body.toString());
  const small2 = Buffer.from("second object\n");
  r = await multipartUpload("dir/sub/b.txt", small2, "text/plain");
  check("multipart upload, media part with Content-Type", r.status === 200 && r.json.contentType === "text/plain", r.json || r.body.toString());
  r = await multipartUpload("top.txt", Buffer.from("top"), "application/octet-stream");
  check("multipart upload top-level object", r.status === 200, r.status);
  r = await multipartUpload("top.txt", Buffer.from("again"), null, "&ifGenerationMatch=0");
  check("multipart upload ifGenerationMatch=0 on existing -> 412", r.status === 412, r.status);
  r = await multipartUpload("dir/sub/", Buffer.alloc(0), "application/x-directory");
  check("multipart upload of empty directory placeholder dir/sub/", r.status === 200 && r.json.size === "0", r.status);

  // --- resumable upload in 3 chunks (first two with unknown total size) ---
  const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
  const K = 262144;
  r = await request("POST", `/upload/storage/v1/b/${BUCKET}/o?projection=full&uploadType=resumable`, {
    headers: { "Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Type": "application/octet-stream" },
    body: { bucket: BUCKET, name: "dir/big.bin" },
  });
  const location = r.headers.location;
  check("resumable initiate -> Location", r.status === 200 && /upload_id=/.test(location || ""), r.status);
  const put = (range, data) => request("PUT", location, { headers: { "Content-Range": range, "Content-Type": "application/octet-stream" }, body: data || Buffer.alloc(0) });
  r = await put(`bytes 0-${K - 1}/*`, big.slice(0, K));
  check("resumable chunk 1 (bytes 0-262143/*) -> 308", r.status === 308 && r.headers.range === `bytes=0-${K - 1}`, [r.status, r.headers.range]);
  r = await put("bytes */*");
  check("resumable status query (bytes */*) -> 308", r.status === 308 && r.headers.range === `bytes=0-${K - 1}`, [r.status, r.headers.range]);
  r = await put(`bytes ${K}-${2 * K - 1}/*`, big.slice(K, 2 * K));
  check("resumable chunk 2 -> 308", r.status === 308 && r.headers.range === `bytes=0-${2 * K - 1}`, [r.status, r.headers.range]);
  r = await put(`bytes ${2 * K}-${big.length - 1}/${big.length}`, big.slice(2 * K));
  check("resumable final chunk -> 200 + resource", r.status === 200 && r.json.size === String(big.length) && r.json.md5Hash === md5(big), r.json || r.status);
  r = await put(`bytes */${big.length}`);
  check("resumable status query after completion -> 200", r.status === 200 && r.json.name === "dir/big.bin", r.status);

  r = await request("POST", `/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&ifGenerationMatch=0`, {
    headers: { "Content-Type": "application/json; charset=UTF-8" },
    body: { name: "dir/big.bin" },
  });
  check("resumable initiate ifGenerationMatch=0 on existing -> 412", r.status === 412, r.status);

  // --- metadata + media ---
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("dir/big.bin")}?projection=full`);
  check("object metadata get", r.status === 200 && r.json.size === String(big.length) && r.json.generation && r.json.crc32c, r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("no/such")}`);
  check("object metadata get missing -> 404", r.status === 404, r.status);
  r = await request("GET", `/download/storage/v1/b/${BUCKET}/o/${enc("dir/big.bin")}?alt=media`, { headers: { Range: "bytes=10-19" } });
  check("ranged media get (Range: bytes=10-19) -> 206", r.status === 206 && r.body.equals(big.slice(10, 20)), r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("dir/big.bin")}?alt=media`, { headers: { Range: `bytes=${big.length - 5}-` } });
  check("ranged media get (open-ended tail)", r.status === 206 && r.body.equals(big.slice(-5)), r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("dir/a.txt")}?alt=media`);
  check("full media get", r.status === 200 && r.body.equals(small), r.status);

  // --- listing ---
  r = await request("GET", `/storage/v1/b/${BUCKET}/o?prefix=dir%2F&delimiter=%2F&projection=full`);
  const names = (r.json.items || []).map((i) => i.name);
  check("list prefix=dir/ delimiter=/ -> items + prefixes", r.status === 200 && names.join() === "dir/a.txt,dir/big.bin" && (r.json.prefixes || []).join() === "dir/sub/", { names, prefixes: r.json.prefixes });
  r = await request("GET", `/storage/v1/b/${BUCKET}/o?prefix=dir%2F&delimiter=%2F&includeTrailingDelimiter=true&fields=items(name,size),prefixes,nextPageToken&maxResults=1024`);
  check("list includeTrailingDelimiter=true returns placeholder", (r.json.items || []).map((i) => i.name).join() === "dir/a.txt,dir/big.bin,dir/sub/", r.json.items && r.json.items.map((i) => i.name));
  r = await request("GET", `/storage/v1/b/${BUCKET}/o?prefix=dir%2F&maxResults=2`);
  const page1 = (r.json.items || []).map((i) => i.name);
  const r2 = await request("GET", `/storage/v1/b/${BUCKET}/o?prefix=dir%2F&maxResults=2&pageToken=${enc(r.json.nextPageToken || "")}`);
  const page2 = (r2.json.items || []).map((i) => i.name);
  check("list pagination (maxResults/pageToken)", page1.length === 2 && r.json.nextPageToken && page1.concat(page2).join() === "dir/a.txt,dir/big.bin,dir/sub/,dir/sub/b.txt", { page1, page2 });

  // --- compose ---
  r = await request("POST", `/storage/v1/b/${BUCKET}/o/${enc("dir/composed.txt")}/compose`, {
    headers: { "Content-Type": "application/json; charset=UTF-8" },
    body: { sourceObjects: [{ name: "dir/a.txt" }, { name: "dir/sub/b.txt" }], destination: { bucket: BUCKET, name: "dir/composed.txt", contentType: "text/plain" } },
  });
  check("compose", r.status === 200 && r.json.size === String(small.length + small2.length), r.json || r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("dir/composed.txt")}?alt=media`);
  check("compose result content", r.body.equals(Buffer.concat([small, small2])), r.body.toString());

  // --- rewrite (copy) with the /storage/v1 prefix ---
  r = await request("POST", `/storage/v1/b/${BUCKET}/o/${enc("dir/a.txt")}/rewriteTo/b/${BUCKET}/o/${enc("copy/a.txt")}`, {
    headers: { "Content-Type": "application/json; charset=UTF-8" },
    body: {},
  });
  check("rewriteTo under /storage/v1", r.status === 200 && r.json.done === true && r.json.resource.name === "copy/a.txt", r.json || r.status);

  // --- batch delete in google-api-client's BatchRequest format ---
  const boundary = "__END_OF_PART__" + crypto.randomUUID() + "__";
  const batchBody = ["copy/a.txt", "dir/composed.txt", "does/not/exist"]
    .map((n, i) => `--${boundary}\r\nContent-Length: 0\r\nContent-Type: application/http\r\ncontent-id: ${i + 1}\r\ncontent-transfer-encoding: binary\r\n\r\n` +
      `DELETE ${base}storage/v1/b/${BUCKET}/o/${enc(n)} HTTP/1.1\r\n\r\n\r\n`)
    .join("") + `--${boundary}--\r\n`;
  r = await request("POST", "/batch/storage/v1", { headers: { "Content-Type": `multipart/mixed; boundary=${boundary}` }, body: batchBody });
  const statuses = [...r.body.toString().matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => Number(m[1]));
  check("batch delete POST /batch/storage/v1", r.status === 200 && /^multipart\/mixed; boundary=/.test(r.headers["content-type"]) && statuses.join() === "204,204,404", { status: r.status, statuses });
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/${enc("copy/a.txt")}`);
  check("batch-deleted object is gone", r.status === 404, r.status);

  // --- delete ---
  r = await request("DELETE", `/storage/v1/b/${BUCKET}/o/top.txt`);
  check("object delete -> 204", r.status === 204, r.status);
  r = await request("GET", `/storage/v1/b/${BUCKET}/o/top.txt`);
  check("deleted object -> 404", r.status === 404, r.status);
  r = await request("DELETE", `/storage/v1/b/${BUCKET}/o/top.txt`);
  check("delete missing object -> 404", r.status === 404, r.status);
}

async function main() {
  const child = spawn(process.execPath, [path.join(__dirname, "server.js"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const started = Date.now();
  const line = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => { out += d; if (out.includes("\n")) resolve(out.split("\n")[0]); });
    child.on("exit", (code) => reject(new Error(`server exited early with ${code}`)));
    setTimeout(() => reject(new Error("server did not start within 30s")), 30000);
  });
  const m = /^GCS emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
  check(`server ready line (${Date.now() - started} ms): ${line}`, !!m);
  if (!m) process.exit(1);
  base = m[1] + "/";
  try {
    await run();
  } catch (e) {
    failures++;
    console.log(`FAIL - exception: ${e.stack}`);
  }
  const code = await new Promise((resolve) => { child.removeAllListeners("exit"); child.on("exit", resolve); child.kill("SIGTERM"); });
  check("server exits 0 on SIGTERM", code === 0, code);
  console.log(failures ? `${failures} check(s) FAILED` : "all checks passed");
  process.exit(failures ? 1 : 0);
}
main();
