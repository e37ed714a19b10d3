// Evaluates one HCL expression of a Terraform module with given variable values, on HashiCorp's syntax tree of it
// (@cdktf/hcl2json's getExpressionAst), so a test can check what a module computes (e.g. an EventBridge pattern)
// without terraform. Only what such values are built from is evaluated: string/number/bool literals, templates,
// object and tuple constructors, var.<name>, local.<name> (the module's locals, evaluated the same way), for
// expressions ([for x in … : …] and {for k, v in … : k => v}, with an optional if) and the functions jsonencode, concat,
// distinct, toset, tolist, merge, replace. Anything else is an error that names it: extend this rather than guess.
//
// usage: node evaluate.mjs <input.json>
//   input: {"module": <dir>, "expression": <HCL>, "variables": {...}, "scope": {...}}  (scope: other root names, e.g.
//   {"each": {"key": …, "value": …}} for a resource's for_each)
// prints the value as JSON (a jsonencode()d value is printed as the value it encodes, parsed back).
import { parse, getExpressionAst } from '@cdktf/hcl2json';
import fs from 'node:fs';
import path from 'node:path';

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const locals = {};
for (const file of fs.readdirSync(input.module).filter(f => f.endsWith('.tf')).sort()) {
  const parsed = await parse(file, fs.readFileSync(path.join(input.module, file), 'utf8'));
  for (const block of parsed.locals ?? []) Object.assign(locals, block);
}

/**
 * hcl2json gives a literal as JSON, an expression as "${...}" and a template with text around its interpolations
 * as the template's text (backslash escapes already applied, "$${" kept): evaluate the expressions inside a value.
 */
async function resolve(value, scope) {
  if (typeof value === 'string') {
    if (value.startsWith('${') && closingBrace(value) === value.length - 1) return evaluateSource(value.slice(2, -1), scope);
    if (value.includes('${') || value.includes('%{')) {
      // a template: quoted again as HCL source, its escapes restored
      return evaluateSource('"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"', scope);
    }
    return value;
  }
  if (Array.isArray(value)) return Promise.all(value.map(v => resolve(v, scope)));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolve(v, scope);
    return out;
  }
  return value;
}

/** Where the brace opened by value's leading "${" closes (braces counted, nested ones included), or -1. */
function closingBrace(value) {
  let depth = 0;
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '{') depth++;
    else if (value[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A template's literal text as written (getExpressionAst leaves it raw): HCL's escapes applied. */
function unescapeTemplateText(text) {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')
      .replace(/\\(["\\nrt])/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

async function evaluateSource(source, scope) {
  const ast = await getExpressionAst('expression.tf', source);
  return evaluate(ast, source, scope);
}

const text = (node, source) => source.slice(node.range.start.byte, node.range.end.byte);

async function evaluate(node, source, scope) {
  const children = node.children ?? [];
  switch (node.type?.toLowerCase()) {
    case 'literalvalue':
      return node.meta.type === 'number' ? Number(node.meta.value)
          : node.meta.type === 'bool' ? node.meta.value === 'true' : node.meta.value;
    case 'template': {
      const parts = await Promise.all(children.map(async c => {
        const part = await evaluate(c, source, scope);
        return c.type?.toLowerCase() === 'literalvalue' && typeof part === 'string' ? unescapeTemplateText(part) : part;
      }));
      return parts.length === 1 ? parts[0] : parts.join('');
    }
    case 'tuple':
      return Promise.all(children.map(c => evaluate(c, source, scope)));
    case 'object': {
      const out = {};
      for (let i = 0; i + 1 < children.length; i += 2) {
        const keyNode = children[i];
        // a bare identifier key has no children: its text is the key
        const key = keyNode.children?.length ? await evaluate(keyNode.children[0], source, scope)
            : text(keyNode, source).trim().replace(/^"(.*)"$/, '$1');
        out[key] = await evaluate(children[i + 1], source, scope);
      }
      return out;
    }
    case 'scopetraversal': {
      const [root, ...rest] = node.meta.traversal.map(t => t.segment);
      let value;
      if (root === 'var') {
        if (!(rest[0] in input.variables)) throw new Error(`no value given for var.${rest[0]}`);
        value = input.variables[rest[0]];
      } else if (root === 'local') {
        if (!(rest[0] in locals)) throw new Error(`no local.${rest[0]} in ${input.module}`);
        value = await resolve(locals[rest[0]], scope);
      } else if (root in scope) {
        return rest.reduce((v, k) => v?.[k], scope[root]);
      } else {
        throw new Error(`cannot evaluate ${node.meta.value}: only var.*, local.* and for variables are known`);
      }
      return rest.slice(1).reduce((v, k) => v?.[k], value);
    }
    case 'for': {
      const isObject = text(node, source).trim().startsWith('{');
      if (isObject && node.meta.groupedValue) throw new Error(`grouped for expressions: ${node.meta.value}`);
      const collection = await evaluateSource(node.meta.collectionExpression, scope);
      const out = isObject ? {} : [];
      const entries = Array.isArray(collection) ? collection.map((v, i) => [i, v]) : Object.entries(collection);
      for (const [key, value] of entries) {
        const inner = { ...scope, [node.meta.valVar]: value };
        if (node.meta.keyVar) inner[node.meta.keyVar] = key;
        if (node.meta.conditionalExpression && !(await evaluateSource(node.meta.conditionalExpression, inner))) continue;
        const element = await evaluateSource(node.meta.valueExpression, inner);
        if (isObject) out[await evaluateSource(node.meta.keyExpression, inner)] = element;
        else out.push(element);
      }
      return out;
    }
    case 'function': {
      const args = await Promise.all(children.map(c => evaluate(c, source, scope)));
      switch (node.meta.name) {
        case 'jsonencode': return JSON.stringify(args[0]);
        case 'concat': return args.flat(1);
        case 'distinct': case 'toset': return [...new Set(args[0])];
        case 'tolist': return [...args[0]];
        case 'merge': return Object.assign({}, ...args);
        case 'replace': {
          // Terraform's replace: a substring wrapped in slashes is a regular expression, and $n in the replacement
          // its capture groups (JavaScript's syntax for both, for the RE2 subset modules use)
          const regex = args[1].match(/^\/(.*)\/$/s);
          return regex ? args[0].replace(new RegExp(regex[1], 'g'), args[2]) : args[0].split(args[1]).join(args[2]);
        }
        default: throw new Error(`cannot evaluate function ${node.meta.name}`);
      }
    }
    default:
      throw new Error(`cannot evaluate a ${node.type || 'node'}: ${node.meta?.value ?? ''}`);
  }
}

let value = await resolve(input.expression.startsWith('${') ? input.expression : '${' + input.expression + '}',
    input.scope ?? {});
if (typeof value === 'string') {
  try { value = JSON.parse(value); } catch { /* a plain string */ }
}
process.stdout.write(JSON.stringify(value));
