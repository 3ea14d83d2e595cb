import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_CENTER_TEAM_ID, LOCAL_STAFF_TENANT_ID } from '../../bot/config';
import { personByEmail } from '../../bot/domain/centers';
import { DEV_PROFILES, resolveDevOptions } from '../../local/dev';
import { TENANTS } from '../../local/tenant/ids';
import { staffCenters, staffUserId } from '../../local/tenant/staff';
import { freePorts, PROJECT_ROOT } from './harness';

interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
  userPrincipleName: string;
}
interface PlaygroundConfig {
  tenantId: string;
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  teams: { id: string; name: string; channels: { id: string }[] }[];
}

/** `npm run dev -- <args>` as a child (local/dev.ts), with the echo fixture bot. */
function runDev(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, DEV_BOT_ENTRY: 'test/e2e/fixtures/echoBot.ts', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const waitFor = async (re: RegExp) => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const match = re.exec(text);
      if (match) return match;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${re} in the output of npm run dev:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, output: () => text, waitFor };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url}: ${res.status}`);
  return (await res.json()) as T;
}

describe('npm run dev -- --as center (the FastTrack side in a second Playground)', () => {
  describe('which Playground --as picks', () => {
    it('is the admin\'s root config on port 56150 without --as', () => {
      const o = resolveDevOptions([], {}, '/p');
      assert.deepEqual([o.as, o.configPath, o.playgroundPort, o.playgroundLog], ['admin', undefined, 56150, path.join('/p', 'devTools', 'm365agentsplayground.log')]);
    });

    it('is the Center member\'s config on port 56151, with its own log, for --as center and --as=center', () => {
      for (const argv of [['--as', 'center'], ['--as=center']]) {
        const o = resolveDevOptions(argv, {}, '/p');
        assert.deepEqual([o.as, o.configPath, o.playgroundPort, o.playgroundLog], [
          'center', path.join('/p', 'local/playground/center.m365agentsplayground.yml'), 56151, path.join('/p', 'devTools', 'm365agentsplayground.center.log'),
        ]);
      }
    });

    it('lets PLAYGROUND_PORT, the config path and the log file variables win', () => {
      const o = resolveDevOptions(['--as', 'center'], { PLAYGROUND_PORT: '57000', M365_AGENTS_PLAYGROUND_CONFIG_PATH: '/x.yml', M365_AGENTS_PLAYGROUND_LOGFILE: '/x.log' }, '/p');
      assert.deepEqual([o.configPath, o.playgroundPort, o.playgroundLog], ['/x.yml', 57000, '/x.log']);
    });

    it('refuses anyone else', () => {
      assert.throws(() => resolveDevOptions(['--as', 'partner'], {}), /--as takes admin or center, not "partner"/);
      assert.throws(() => resolveDevOptions(['--as'], {}), /--as takes admin or center/);
    });

    it('points at a config file that exists', () => {
      assert.ok(fs.existsSync(path.join(PROJECT_ROOT, DEV_PROFILES.center.configPath)));
    });
  });

  describe('both sides at once, one bot', function () {
    this.timeout(120_000);
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-dev-center-'));
    const children: ChildProcess[] = [];
    after(() => {
      for (const c of children) c.kill('SIGINT');
      fs.rmSync(logDir, { recursive: true, force: true });
    });

    it('the second npm run dev shares the first one\'s bot; the center Playground is Conor O\'Brien of the staff tenant, in the triage team', async () => {
      const [botPort, adminPort, centerPort] = await freePorts(3);
      const admin = runDev([], { PORT: String(botPort), PLAYGROUND_PORT: String(adminPort), M365_AGENTS_PLAYGROUND_LOGFILE: path.join(logDir, 'admin.log') });
      children.push(admin.child);
      await admin.waitFor(/Open http:\/\/localhost:\d+ in your browser/);
      const center = runDev(['--as', 'center'], { PORT: String(botPort), PLAYGROUND_PORT: String(centerPort), M365_AGENTS_PLAYGROUND_LOGFILE: path.join(logDir, 'center.log') });
      children.push(center.child);
      await center.waitFor(/Open http:\/\/localhost:\d+ in your browser/);
      assert.match(center.output(), new RegExp(`a bot already answers on http://127\\.0\\.0\\.1:${botPort}: starting only the Agents Playground`));
      assert.match(center.output(), /You are +a FastTrack Center member \(Conor O'Brien, Dublin\) \(on the bot already running\)/);

      const adminConfig = (await json<{ config: PlaygroundConfig }>(`http://127.0.0.1:${adminPort}/_internal/v1/config`)).config;
      const config = (await json<{ config: PlaygroundConfig }>(`http://127.0.0.1:${centerPort}/_internal/v1/config`)).config;
      assert.equal(adminConfig.tenantId, TENANTS.contoso);
      assert.equal(config.tenantId, LOCAL_STAFF_TENANT_ID);
      assert.equal(config.tenantId, TENANTS.fastTrack);
      assert.deepEqual(config.teams.map((t) => t.id), [LOCAL_CENTER_TEAM_ID]);

      // Every user of the config is a FastTrack person with their staff account's id; Conor is a Center engineer in Dublin.
      const centers = staffCenters();
      for (const user of [config.currentUser, ...config.users]) {
        const person = personByEmail(centers, user.email);
        assert.ok(person, `${user.email} is a FastTrack person`);
        assert.deepEqual([user.name, user.userPrincipleName, user.aadObjectId], [person.name, person.email, staffUserId(person.id)]);
      }
      const conor = personByEmail(centers, config.currentUser.email)!;
      assert.deepEqual([conor.role, conor.centerId], ['center', 'emea-dublin']);

      // The roster call TeamsInfo.getTeamMember makes (by the 29: id) answers with the e-mail the bot identifies people by.
      const member = await json<{ email: string; aadObjectId: string }>(
        `http://127.0.0.1:${centerPort}/_connector/v3/conversations/${encodeURIComponent(LOCAL_CENTER_TEAM_ID)}/members/${encodeURIComponent(config.currentUser.id)}`,
      );
      assert.deepEqual([member.email, member.aadObjectId], [conor.email, staffUserId(conor.id)]);

      // Stopping the attached Playground leaves the shared bot to the first npm run dev.
      const exited = new Promise((resolve) => center.child.once('exit', resolve));
      center.child.kill('SIGINT');
      await exited;
      assert.equal((await fetch(`http://127.0.0.1:${botPort}/healthz`)).status, 200);
    });
  });
});
