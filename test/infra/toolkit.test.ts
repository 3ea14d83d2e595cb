import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PLAYGROUND_BOT_ID, deriveTeamsAppId } from '../../scripts/package';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
// js-yaml comes with mocha and eslint (no types of its own): only `load` is used, and zod checks the result.
const yaml = require('js-yaml') as { load(text: string): unknown };

const Step = z.object({
  uses: z.string().regex(/^[A-Za-z]+(\/[A-Za-z]+)?$/),
  with: z.record(z.string(), z.unknown()).default({}),
  writeToEnvironmentFile: z.record(z.string(), z.string()).optional(),
});
type Step = z.infer<typeof Step>;
const Project = z.object({
  version: z.string().regex(/^v1\.\d+$/),
  environmentFolderPath: z.string(),
  provision: z.array(Step).optional(),
  deploy: z.array(Step).optional(),
  publish: z.array(Step).optional(),
});
type Project = z.infer<typeof Project>;

const project = (file: string): Project => Project.parse(yaml.load(read(file)));

/** KEY=VALUE lines of a dotenv file (comments and blank lines skipped). */
function dotenv(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of read(file).split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) entries.set(m[1]!, m[2]!.trim());
  }
  return entries;
}

/** The `${{NAME}}` placeholders in a text. */
const placeholders = (text: string) => [...new Set([...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];

/** The outputs main.bicep declares (arm/deploy writes each to the environment file under its own name). */
const bicepOutputs = [...read('infra/main.bicep').matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]!);
const bicepParams = [...read('infra/main.bicep').matchAll(/^param\s+(\w+)\s+\w+(\s*=)?/gm)].map((m) => ({ name: m[1]!, required: !m[2] }));

/** What the steps up to (not including) `index` write to the environment file. */
function written(steps: Step[], index = steps.length): Set<string> {
  const names = new Set<string>();
  for (const step of steps.slice(0, index)) {
    for (const variable of Object.values(step.writeToEnvironmentFile ?? {})) names.add(variable);
    if (step.uses === 'arm/deploy') for (const output of bicepOutputs) names.add(output);
  }
  return names;
}

/** Every file a step names, relative to the project root. */
function referencedFiles(steps: Step[]): string[] {
  const files: string[] = [];
  for (const step of steps) {
    if (typeof step.with.manifestPath === 'string') files.push(step.with.manifestPath);
    const templates = z.array(z.object({ path: z.string(), parameters: z.string().optional() })).optional().parse(step.with.templates);
    for (const t of templates ?? []) files.push(t.path, ...(t.parameters ? [t.parameters] : []));
  }
  return files;
}

const manifestVariables = placeholders(read('appPackage/manifest.json'));
/** Set by the Toolkit itself or asked for when empty. */
const TOOLKIT_BUILT_INS = new Set(['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME']);

describe('the Agents Toolkit project', () => {
  describe('m365agents.yml (dev: provision, deploy, publish)', () => {
    const dev = project('m365agents.yml');
    const env = dotenv('env/.env.dev');
    const provision = dev.provision ?? [];

    it('keeps its environments in env/ and provisions with infra/main.bicep, naming only files that exist', () => {
      assert.equal(dev.environmentFolderPath, './env');
      const arm = provision.find((s) => s.uses === 'arm/deploy');
      assert.ok(arm, 'provision runs arm/deploy');
      assert.match(JSON.stringify(arm.with.templates), /\.\/infra\/main\.bicep/);
      const files = referencedFiles([...provision, ...(dev.deploy ?? []), ...(dev.publish ?? [])]);
      assert.ok(files.length >= 4);
      assert.deepEqual(files.filter((f) => !existsSync(join(ROOT, f))), [], 'missing files');
    });

    it('passes the Bicep only parameters it declares, including every required one', () => {
      const parametersFile = referencedFiles(provision).find((f) => f.endsWith('.json') && f.includes('parameters'))!;
      const passed = Object.keys(z.object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) }).parse(JSON.parse(read(parametersFile))).parameters);
      assert.deepEqual(passed.filter((p) => !bicepParams.some((d) => d.name === p)), [], 'undeclared parameters');
      assert.deepEqual(bicepParams.filter((d) => d.required && !passed.includes(d.name)).map((d) => d.name), [], 'required parameters not passed');
    });

    it('fills every placeholder of the manifest before zipping the app package: from env/.env.dev or from an earlier provision step', () => {
      const zip = provision.findIndex((s) => s.uses === 'teamsApp/zipAppPackage');
      assert.ok(zip > 0, 'provision zips the app package');
      const available = written(provision, zip);
      const missing = manifestVariables.filter((v) => !available.has(v) && !env.get(v));
      assert.deepEqual(missing, []);
      assert.ok(available.has('TEAMS_APP_ID') && available.has('BOT_ID') && available.has('BOT_DOMAIN'));
    });

    it('defines every other variable it and its Bicep parameters use (operator inputs as keys in env/.env.dev), with secrets only in the git-ignored .user file', () => {
      const parametersFile = referencedFiles(provision).find((f) => f.includes('parameters'))!;
      const used = placeholders(read('m365agents.yml') + read(parametersFile));
      const produced = written([...provision, ...(dev.deploy ?? []), ...(dev.publish ?? [])]);
      const undefinedVars = used.filter((v) => !v.startsWith('SECRET_') && !produced.has(v) && !TOOLKIT_BUILT_INS.has(v) && !env.has(v));
      assert.deepEqual(undefinedVars, []);
      assert.ok(used.includes('SECRET_GRAPH_CLIENT_SECRET'), 'the Graph secret comes from env/.env.dev.user');
      assert.deepEqual([...env.keys()].filter((k) => k.startsWith('SECRET_')), [], 'no secret in the committed env file');
      assert.match(read('.gitignore'), /^env\/\.env\.\*\.user$/m);
    });

    it('deploys the compiled bot with production packages only, to the web app the Bicep outputs', () => {
      const deploy = dev.deploy ?? [];
      const npmArgs = deploy.filter((s) => s.uses === 'cli/runNpmCommand').map((s) => String(s.with.args));
      const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
      assert.ok(npmArgs.includes('run build') && scripts.build, 'builds dist/ with npm run build');
      const stage = String(deploy.find((s) => s.uses === 'script')?.with.run);
      const zip = deploy.find((s) => s.uses === 'azureAppService/zipDeploy');
      const folder = String(zip?.with.artifactFolder);
      assert.match(stage, new RegExp(`cp -r dist package\\.json package-lock\\.json ${folder.replace('.', '\\.')}/`));
      assert.match(stage, new RegExp(`npm ci --omit=dev .*--prefix ${folder.replace('.', '\\.')}`));
      assert.equal(zip?.with.resourceId, '${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}');
      assert.ok(bicepOutputs.includes('BOT_AZURE_APP_SERVICE_RESOURCE_ID'));
      assert.match(read('.gitignore'), new RegExp(`^${folder.replace('.', '\\.')}/$`, 'm'));
    });

    it('publishes the app package to the tenant app catalog', () => {
      const publish = (dev.publish ?? []).map((s) => s.uses);
      assert.ok(publish.indexOf('teamsApp/zipAppPackage') < publish.indexOf('teamsApp/publishAppPackage'));
    });
  });

  describe('m365agents.local.yml (the Agents Playground on the local defaults)', () => {
    const local = project('m365agents.local.yml');
    const env = dotenv('env/.env.local');

    it('names only files that exist and needs no Azure', () => {
      const steps = [...(local.provision ?? []), ...(local.deploy ?? [])];
      assert.deepEqual(referencedFiles(steps).filter((f) => !existsSync(join(ROOT, f))), []);
      assert.deepEqual(steps.filter((s) => /^(arm|azure|aadApp|botAadApp|botFramework)/.test(s.uses)).map((s) => s.uses), []);
    });

    it('fills the manifest from env/.env.local with the same ids as npm run package -- --local', () => {
      assert.deepEqual(manifestVariables.filter((v) => !env.get(v)), []);
      assert.equal(env.get('BOT_ID'), PLAYGROUND_BOT_ID);
      assert.equal(env.get('TEAMS_APP_ID'), deriveTeamsAppId(PLAYGROUND_BOT_ID));
      assert.equal(env.get('BOT_DOMAIN'), 'localhost');
    });
  });
});
