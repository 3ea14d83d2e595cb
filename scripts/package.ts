/**
 * Builds the Teams app package: appPackage/build/appPackage.zip.
 *
 *   BOT_ID=<guid> [TEAMS_APP_ID=<guid>] [BOT_DOMAIN=<host>] node --import tsx scripts/package.ts
 *   node --import tsx scripts/package.ts --local      # the Agents Playground's bot id
 *
 * Substitutes the `${{NAME}}` placeholders, validates the manifest and every localization file
 * against the schemas bundled in @microsoft/app-manifest (offline), checks the icons, and zips
 * everything flat at the zip root, as Teams expects.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import AdmZip from 'adm-zip';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import { PNG } from 'pngjs';
import { v5 as uuidV5 } from 'uuid';

/** The Microsoft 365 Agents Playground's fixed bot id, used with `--local`. */
export const PLAYGROUND_BOT_ID = '00000000-0000-0000-0000-0000000000b0';

/** Where the manifest, icons and localization files live. */
export const APP_PACKAGE_DIR = join(__dirname, '..', 'appPackage');

/** Where the CLI writes the zip. */
export const DEFAULT_OUTPUT = join(APP_PACKAGE_DIR, 'build', 'appPackage.zip');

/** The placeholder names the manifest uses, as in the Agents Toolkit: `${{BOT_ID}}`. */
export const PLACEHOLDERS = ['BOT_ID', 'TEAMS_APP_ID', 'BOT_DOMAIN'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];
export type PackageVariables = Record<PlaceholderName, string>;

/** Pixel sizes Teams requires for the two icons. */
export const ICON_SIZES = { color: 192, outline: 32 } as const;

/** Namespace of the name-based (v5) TEAMS_APP_ID (fixed forever: changing it changes every derived id). */
const TEAMS_APP_ID_NAMESPACE = '6f1c7a52-3d0e-4b8a-9c61-2f5e8d4a7b90';

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
// A host name (optionally with a port, as for local tunnels), no scheme, no path.
const HOST = /^(?=.{1,253}(:\d{1,5})?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

/** One problem found while building the package; the CLI prints them all, then exits 1. */
export class PackageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PackageError';
  }
}

/** The Teams app id used when TEAMS_APP_ID is not set: stable for a given bot id. */
export function deriveTeamsAppId(botId: string): string {
  return uuidV5(`teams-app:${botId.toLowerCase()}`, TEAMS_APP_ID_NAMESPACE);
}

/**
 * Reads BOT_ID, TEAMS_APP_ID and BOT_DOMAIN from `env`. With `local`, BOT_ID is the Playground's.
 * Throws a PackageError listing every missing or malformed value.
 */
export function resolveVariables(env: NodeJS.ProcessEnv, options: { local: boolean }): PackageVariables {
  const problems: string[] = [];
  const botId = options.local ? PLAYGROUND_BOT_ID : env.BOT_ID?.trim() ?? '';
  if (!botId) {
    problems.push('BOT_ID is not set: set it to the bot\'s Microsoft App ID (the managed identity\'s client id), or pass --local for the Agents Playground.');
  } else if (!GUID.test(botId)) {
    problems.push(`BOT_ID must be a GUID, got "${botId}".`);
  }
  const teamsAppId = env.TEAMS_APP_ID?.trim() || (GUID.test(botId) ? deriveTeamsAppId(botId) : '');
  if (teamsAppId && !GUID.test(teamsAppId)) {
    problems.push(`TEAMS_APP_ID must be a GUID, got "${teamsAppId}".`);
  }
  const botDomain = env.BOT_DOMAIN?.trim() || 'localhost';
  if (!HOST.test(botDomain)) {
    problems.push(`BOT_DOMAIN must be a host name without scheme or path (e.g. myapp.azurewebsites.net), got "${botDomain}".`);
  }
  if (problems.length > 0) throw new PackageError(problems);
  return { BOT_ID: botId, TEAMS_APP_ID: teamsAppId, BOT_DOMAIN: botDomain };
}

/**
 * Replaces every `${{NAME}}` in `text` (JSON) with the JSON-escaped value of `variables[NAME]`.
 * Throws a PackageError naming any placeholder it has no value for, so no `${{` survives.
 */
export function substitutePlaceholders(text: string, variables: Readonly<Record<string, string>>): string {
  const unknown = new Set<string>();
  const result = text.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (match, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      unknown.add(name);
      return match;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (unknown.size > 0) {
    throw new PackageError([...unknown].map((name) => `no value for placeholder \${{${name}}}`));
  }
  if (result.includes('${{')) {
    throw new PackageError(['a malformed "${{" placeholder is left after substitution']);
  }
  return result;
}

/**
 * Loads the JSON schema at `schemaUrl` from the copies bundled in @microsoft/app-manifest.
 * Never goes to the network: an unknown URL is an error.
 */
export function loadBundledSchema(schemaUrl: string): object {
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/(teams\/[^?#]+\.json)$/i.exec(schemaUrl);
  if (!match) throw new PackageError([`$schema "${schemaUrl}" is not a Teams schema URL on developer.microsoft.com`]);
  const packageRoot = dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = join(packageRoot, 'build', 'json-schemas', match[1]!);
  if (!existsSync(file)) {
    throw new PackageError([`$schema "${schemaUrl}" is not bundled with @microsoft/app-manifest (looked for ${file})`]);
  }
  // The library does the same clean-up before parsing: some schemas contain \a and \v escapes.
  const schema = JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
  return makePatternsUnicodeSafe(schema);
}

/**
 * Escapes `]` outside a character class in a regular expression source. Without the `u` flag
 * such a `]` is a literal, with it a syntax error; escaping keeps the meaning under both.
 */
export function escapeLoneBrackets(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (ch === '[' && !inClass) {
      inClass = true;
      out += ch;
    } else if (ch === ']') {
      out += inClass ? ch : '\\]';
      inClass = false;
    } else {
      out += ch;
    }
  }
  return out;
}

function compilesWithUnicodeFlag(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Every bundled Localization schema has patternProperties such as
 * `^activities.activityTypes\[\b(...)\b]\.description$`: ajv compiles patterns with the `u` flag,
 * where the lone `]` throws, so validation could never run. Repairs such patterns in place.
 */
export function makePatternsUnicodeSafe<T>(schema: T): T {
  const repair = (pattern: string): string =>
    compilesWithUnicodeFlag(pattern) ? pattern : escapeLoneBrackets(pattern);
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'patternProperties' && typeof value === 'object' && value !== null) {
        result[key] = Object.fromEntries(Object.entries(value).map(([p, s]) => [repair(p), walk(s)]));
      } else if (key === 'pattern' && typeof value === 'string') {
        result[key] = repair(value);
      } else {
        result[key] = walk(value);
      }
    }
    return result;
  };
  return walk(schema) as T;
}

/**
 * Validates a manifest or localization file against the bundled schema its `$schema` names.
 * Returns one readable line per error, prefixed with `fileName`; empty when valid.
 */
export async function validateAgainstBundledSchema(document: unknown, fileName: string): Promise<string[]> {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return [`${fileName}: must be a JSON object`];
  }
  const schemaUrl = (document as { $schema?: unknown }).$schema;
  if (typeof schemaUrl !== 'string') return [`${fileName}: has no "$schema" URL`];
  let schema: object;
  try {
    schema = loadBundledSchema(schemaUrl);
  } catch (error) {
    return error instanceof PackageError ? error.problems.map((p) => `${fileName}: ${p}`) : [`${fileName}: ${String(error)}`];
  }
  // The localization schema is not an AppManifest, but validateAgainstSchema only hands both to ajv.
  const errors = await AppManifestUtils.validateAgainstSchema(
    document as AppManifest,
    schema as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1],
  );
  return errors.map((error) => `${fileName}: ${error.trim() || '(root) is invalid'}`);
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PackageError([`${fileName}: is not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
}

/** The parts of the manifest this script relies on. */
interface ManifestShape {
  icons?: { color?: string; outline?: string };
  bots?: { commandLists?: { commands?: unknown[] }[] }[];
  localizationInfo?: { additionalLanguages?: { languageTag: string; file: string }[] };
}

/** The files the manifest refers to (icons, localization files), in zip order after manifest.json. */
export function referencedFiles(manifest: object): string[] {
  const m = manifest as ManifestShape;
  const files = [m.icons?.color, m.icons?.outline, ...(m.localizationInfo?.additionalLanguages ?? []).map((l) => l.file)];
  return files.filter((f): f is string => typeof f === 'string');
}

/** Checks that an icon is a PNG of `size`×`size`. Returns problems; empty when fine. */
export function checkIcon(name: string, png: Uint8Array, size: number): string[] {
  let width: number;
  let height: number;
  try {
    ({ width, height } = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength)));
  } catch (error) {
    return [`${name}: not a PNG file pngjs can read (${error instanceof Error ? error.message : String(error)})`];
  }
  return width === size && height === size ? [] : [`${name}: must be ${size}×${size} pixels, is ${width}×${height}`];
}

/** The app package's contents: file name at the zip root → bytes. */
export type PackageFiles = Map<string, Buffer>;

/**
 * Reads the manifest and the files it references from `sourceDir`, substitutes `variables`,
 * validates everything, and returns the files to zip. Throws a PackageError listing every problem.
 */
export async function preparePackageFiles(sourceDir: string, variables: PackageVariables): Promise<PackageFiles> {
  const problems: string[] = [];
  const manifestText = substitutePlaceholders(readFileSync(join(sourceDir, 'manifest.json'), 'utf8'), variables);
  const manifest = parseJson(manifestText, 'manifest.json') as object;
  problems.push(...(await validateAgainstBundledSchema(manifest, 'manifest.json')));

  const files: PackageFiles = new Map([['manifest.json', Buffer.from(manifestText, 'utf8')]]);
  const m = manifest as ManifestShape;
  const commandCount = m.bots?.[0]?.commandLists?.[0]?.commands?.length ?? 0;
  for (const name of referencedFiles(manifest)) {
    const path = join(sourceDir, name);
    if (name.includes('/') || name.includes('\\')) {
      problems.push(`${name}: Teams expects every file at the zip root, not in a folder`);
      continue;
    }
    if (!existsSync(path)) {
      problems.push(`${name}: listed in manifest.json but missing from ${sourceDir}`);
      continue;
    }
    if (name.endsWith('.json')) {
      const text = substitutePlaceholders(readFileSync(path, 'utf8'), variables);
      const localization = parseJson(text, name) as Record<string, unknown>;
      problems.push(...(await validateAgainstBundledSchema(localization, name)));
      for (let i = 0; i < commandCount; i++) {
        for (const field of ['title', 'description']) {
          const key = `bots[0].commandLists[0].commands[${i}].${field}`;
          if (typeof localization[key] !== 'string') problems.push(`${name}: "${key}" is missing`);
        }
      }
      files.set(name, Buffer.from(text, 'utf8'));
    } else {
      files.set(name, readFileSync(path));
    }
  }
  for (const [kind, size] of Object.entries(ICON_SIZES) as [keyof typeof ICON_SIZES, number][]) {
    const name = m.icons?.[kind];
    const png = name === undefined ? undefined : files.get(name);
    if (name !== undefined && png !== undefined) problems.push(...checkIcon(name, png, size));
  }
  if (problems.length > 0) throw new PackageError(problems);
  return files;
}

/** Zips `files` flat at the zip root. */
export function buildZipBuffer(files: PackageFiles): Buffer {
  const zip = new AdmZip();
  for (const [name, data] of files) zip.addFile(name, data);
  return zip.toBuffer();
}

/** The CLI: returns the process exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const local = argv.includes('--local');
  try {
    if (local && env.BOT_ID) console.warn(`--local: ignoring BOT_ID, using the Playground bot id ${PLAYGROUND_BOT_ID}`);
    const variables = resolveVariables(env, { local });
    const files = await preparePackageFiles(APP_PACKAGE_DIR, variables);
    mkdirSync(dirname(DEFAULT_OUTPUT), { recursive: true });
    writeFileSync(DEFAULT_OUTPUT, buildZipBuffer(files));
    console.log(`Teams app package: ${relative(process.cwd(), DEFAULT_OUTPUT) || DEFAULT_OUTPUT}`);
    console.log(`  app id ${variables.TEAMS_APP_ID}, bot id ${variables.BOT_ID}, domain ${variables.BOT_DOMAIN}`);
    return 0;
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    console.error('The app package was not built:');
    for (const problem of error.problems) console.error(`  - ${problem}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
