// Parses every .tf file under infra-terraform (modules/, examples/) with HashiCorp's HCL parser
// (@cdktf/hcl2json: the Go hcl library compiled to WebAssembly) and extracts, for each resource and data
// source type the files use, the argument and nested block names the provider really has, from the
// generated provider bindings (@cdktf/provider-aws, @cdktf/provider-kubernetes: their
// synthesizeHclAttributes() and *ToHclTerraform functions map every argument to its Terraform name).
//
// usage: node export.mjs <infra-terraform dir> <output dir>
// writes <output dir>/hcl.json ({"<path relative to infra-terraform>": <hcl2json output>}) and
//        <output dir>/schema.json ({"providers": {"aws": "<source> <version>", ...},
//                                   "resource"|"data": {"<type>": {"provider": "aws", "arguments": ARGS}}})
//        where ARGS = {"<name>": null (an attribute) | ARGS (a nested block)}; types no binding defines are
//        absent from schema.json (the test reports them).
import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [root, out] = process.argv.slice(2);
if (!root || !out) {
  console.error('usage: node export.mjs <infra-terraform dir> <output dir>');
  process.exit(2);
}
const require = createRequire(import.meta.url);

function tfFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !['node_modules', 'target', 'checks', '.terraform'].includes(entry.name)) {
      files.push(...tfFiles(full));
    } else if (entry.isFile() && entry.name.endsWith('.tf')) {
      files.push(full);
    }
  }
  return files.sort();
}

const hcl = {};
for (const file of tfFiles(root)) {
  const relative = path.relative(root, file).split(path.sep).join('/');
  try {
    hcl[relative] = await parse(relative, fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${relative}: ${e.message ?? e}`);
    process.exitCode = 1;
  }
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'hcl.json'), JSON.stringify(hcl, null, 1));

// ---- provider schemas -------------------------------------------------------------------------
const PROVIDERS = { aws: '@cdktf/provider-aws', kubernetes: '@cdktf/provider-kubernetes' };
const providers = {};
const libs = {};
for (const [name, pkg] of Object.entries(PROVIDERS)) {
  const manifest = JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8'));
  providers[name] = `${manifest.cdktf.provider.name} ${manifest.cdktf.provider.version} (${pkg} ${manifest.version})`;
  libs[name] = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib');
}

/** The body of the block that starts at `start` (the index of its opening brace), braces balanced. */
function block(source, start) {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(start + 1, i);
  }
  throw new Error('unbalanced braces');
}

/** The arguments in one `const attrs = {...}` object of generated code. */
function attributes(source, body, seen) {
  const args = {};
  const entry = /(\w+): \{\s*value: ([^\n]*),\s*isBlock: (true|false)/g;
  const attrs = body.indexOf('const attrs = {');
  if (attrs < 0) return args;
  const object = block(body, body.indexOf('{', attrs));
  // only the object's own entries (depth 1): nested `value: {...}` objects are on one line
  for (const match of object.matchAll(entry)) {
    const [, name, value, isBlock] = match;
    if (isBlock === 'false') {
      args[name] = null;
      continue;
    }
    // the struct's own function (Spark-sized resources keep them in index-structs/), not cdktf's helpers
    const struct = [...value.matchAll(/(cdktf\.)?(\w+ToHclTerraform)\b/g)].filter(m => !m[1]).map(m => m[2])[0];
    args[name] = struct && !seen.has(struct) ? structArguments(source, struct, new Set([...seen, struct])) : {};
  }
  return args;
}

function structArguments(source, fn, seen) {
  const at = source.indexOf(`function ${fn}(struct) {`);
  if (at < 0) return {};
  return attributes(source, block(source, source.indexOf('{', at)), seen);
}

/** Every .js file of a binding's folder, concatenated: large resources keep their structs in index-structs/. */
function folderSource(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
      .map(entry => entry.isDirectory() ? folderSource(path.join(dir, entry.name))
          : entry.name.endsWith('.js') ? fs.readFileSync(path.join(dir, entry.name), 'utf8') : '')
      .join('\n');
}

function schemaOf(file, type) {
  const main = fs.readFileSync(file, 'utf8');
  const marker = main.indexOf(`terraformResourceType: '${type}'`);
  if (marker < 0) return null;
  const synth = main.indexOf('synthesizeHclAttributes() {', marker);
  if (synth < 0) return null;
  const source = folderSource(path.dirname(file));
  return attributes(source, block(main, main.indexOf('{', synth)), new Set());
}

function candidates(provider, kind, type) {
  const bare = type.slice(provider.length + 1).replaceAll('_', '-');
  const names = kind === 'data' ? [`data-${type.replaceAll('_', '-')}`] : [bare];
  return names.map(name => path.join(libs[provider], name, 'index.js'));
}

let allFiles; // lazily: every binding file, for types whose folder name is not the plain rule
function find(provider, kind, type) {
  for (const file of candidates(provider, kind, type)) {
    if (fs.existsSync(file)) {
      const args = schemaOf(file, type);
      if (args) return args;
    }
  }
  allFiles ??= Object.fromEntries(Object.keys(libs).map(p => [p, fs.readdirSync(libs[p])
      .map(d => path.join(libs[p], d, 'index.js')).filter(f => fs.existsSync(f))]));
  for (const file of allFiles[provider]) {
    const isData = path.basename(path.dirname(file)).startsWith('data-');
    if (isData === (kind === 'data')) {
      const args = schemaOf(file, type);
      if (args) return args;
    }
  }
  return null;
}

const schema = { providers, resource: {}, data: {} };
for (const parsed of Object.values(hcl)) {
  for (const kind of ['resource', 'data']) {
    for (const type of Object.keys(parsed[kind] ?? {})) {
      const provider = type.split('_')[0];
      if (!libs[provider] || schema[kind][type]) continue;
      const args = find(provider, kind, type);
      if (args) schema[kind][type] = { provider, arguments: args };
    }
  }
}
fs.writeFileSync(path.join(out, 'schema.json'), JSON.stringify(schema, null, 1));
console.log(`parsed ${Object.keys(hcl).length} .tf files; schemas of ${Object.keys(schema.resource).length} resource`
    + ` and ${Object.keys(schema.data).length} data source types (${Object.values(providers).join(', ')})`);
