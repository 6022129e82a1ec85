/**
 * `npm run test:browser`: Chromium (Debian's, through playwright-core) drives the playground that
 * `npm start` serves, as people would: Rita asks for AdministratorAccess in prod through the Slack
 * form, Ann approves in Slack, Bob approves on the Teams card, the assignment appears in the AWS
 * emulator, Rita's App Home shows it, it expires a minute later and every message says so; then an
 * assignment made behind keyless' back raises a security alert that Sam sees. Screenshots of each
 * step go to docs/screenshots/ (README shows them).
 *
 * It starts the real entry point (`tsx adapters/main/cli.ts start`, what `npm start` runs) with a
 * temporary data folder and a free port, and reads the printed URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, 'docs', 'screenshots');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}`);

class StepFailed extends Error {}

/** Waits until `check` passes, polling; the message says what was expected. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new StepFailed(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const visible = (locator: Locator) => locator.first().isVisible();

// ---- the playground, as `npm start` runs it ------------------------------------------------------

interface RunningPlayground {
  url: string;
  child: ChildProcess;
  output: string[];
  dataDir: string;
}

async function startPlayground(): Promise<RunningPlayground> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyless-browser-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEYLESS_PORT: '0',
    KEYLESS_DATA_DIR: dataDir,
    KEYLESS_LOG_LEVEL: 'warn',
    NODE_NO_WARNINGS: '1',
  };
  for (const key of Object.keys(env)) {
    if (/^(SLACK_|MICROSOFT_APP_|AWS_ENDPOINT_URL|KEYLESS_MODE|KEYLESS_POLICY_FILE)/.test(key)) delete env[key];
  }
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'adapters/main/cli.ts', 'start'],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL in 90 s:\n${output.join('')}`)), 90_000);
    const read = (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /is running at (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the playground exited (${code}) before it was ready:\n${output.join('')}`));
    });
  });
  return { url, child, output, dataDir };
}

async function stopPlayground(p: RunningPlayground): Promise<void> {
  if (p.child.exitCode === null) {
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
  rmSync(p.dataDir, { recursive: true, force: true });
}

// ---- the page ----------------------------------------------------------------------------------

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // let the last poll render
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  log(`  screenshot docs/screenshots/${name}.png`);
}

async function be(page: Page, person: string): Promise<void> {
  await page.getByTestId(`person-${person}`).click();
  await until(`${person} to be the current person`, async () =>
    (await page.getByTestId(`person-${person}`).getAttribute('class'))!.includes('active'),
  );
  await page.waitForTimeout(300);
}

const slackMessages = (page: Page) => page.getByTestId('slack-message');
const teamsMessages = (page: Page) => page.getByTestId('teams-message');

async function flow(page: Page, url: string): Promise<void> {
  log('Rita opens the playground');
  await page.goto(`${url}?as=rita`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  await until("the welcome card in Rita's Teams chat", () =>
    visible(teamsMessages(page).filter({ hasText: 'just-in-time AWS access' })),
  );
  await shot(page, '01-playground');

  log('Rita types /aws-access and fills the form');
  await page.getByTestId('slack-composer').fill('/aws-access');
  await page.getByTestId('slack-composer').press('Enter');
  const modal = page.getByTestId('slack-modal');
  await modal.waitFor({ timeout: 15_000 });
  const account = modal.locator('[data-kind="external_select"]');
  await account.click();
  await account.fill('prod');
  const prodOption = modal.locator('.bk-option[data-value="111111111111"]');
  await prodOption.waitFor({ timeout: 15_000 });
  await prodOption.dispatchEvent('mousedown');
  const permissionSet = modal.locator('select[data-action-id="permission_set_select"]');
  await permissionSet.waitFor({ timeout: 15_000 });
  await permissionSet.selectOption('AdministratorAccess');
  await modal.locator('[data-action-id="duration_input"]').fill('1m');
  await modal.locator('[data-action-id="reason_input"]').fill('INC-1 fix the payments queue');
  await modal.locator('[data-action-id="ticket_input"]').fill('INC-1');
  await shot(page, '02-request-form');
  await page.getByTestId('slack-modal-submit').click();
  await until('the form to say the request waits for 2 approvals', () =>
    visible(modal.filter({ hasText: 'waits for 2 approval(s)' })),
  );
  const requestId = /request `?([a-z0-9-]+)`? waits/i.exec((await modal.innerText()).replace(/\s+/g, ' '))?.[1];
  if (!requestId) throw new StepFailed(`no request id in the confirmation: ${await modal.innerText()}`);
  log(`  request ${requestId}`);
  await modal.locator('footer button').first().click();
  await until("Rita's DM to say the request waits", () =>
    visible(slackMessages(page).filter({ hasText: 'waiting for 2 approval' })),
  );

  log('Ann approves in the Slack approvals channel');
  await be(page, 'ann');
  await page.getByTestId('slack-channel-C0APPROVALS').click();
  const approval = slackMessages(page).filter({ hasText: requestId });
  await approval.first().waitFor({ timeout: 15_000 });
  await approval.first().getByRole('button', { name: 'Approve' }).click();
  await until('the approval message to count 1 of 2', () =>
    visible(slackMessages(page).filter({ hasText: requestId }).filter({ hasText: '1 of 2' })),
  );
  await shot(page, '03-ann-approves-in-slack');

  log('Bob approves on the Teams card');
  await be(page, 'bob');
  await page.getByTestId('teams-conversation-approvals').click();
  const card = teamsMessages(page).filter({ hasText: 'AdministratorAccess' }).last();
  await card.waitFor({ timeout: 15_000 });
  await until("Bob's card to offer Approve", () => visible(card.getByRole('button', { name: 'Approve' })));
  await card.getByRole('button', { name: 'Approve' }).click();

  log('the grant becomes active in the emulator');
  const rows = page.getByTestId('assignment');
  await until('an AdministratorAccess assignment for rita in prod', () =>
    visible(rows.filter({ hasText: 'rita' }).filter({ hasText: 'AdministratorAccess' }).filter({ hasText: 'prod' })),
  );
  await until('the Teams card to show the access active', () =>
    visible(teamsMessages(page).filter({ hasText: 'Access active' })),
  );
  await shot(page, '04-bob-approves-in-teams');

  await be(page, 'rita');
  await until("Rita's DM to say the access is active", () =>
    visible(slackMessages(page).filter({ hasText: 'is active until' })),
  );
  await shot(page, '05-access-active');
  await page.getByTestId('slack-channel-home').click();
  await until("Rita's App Home to list the grant", () =>
    visible(page.locator('#slack-messages').filter({ hasText: 'AdministratorAccess' })),
  );
  await shot(page, '06-app-home');

  log('waiting for the one-minute grant to expire');
  await until('the assignment to be removed at expiry', () => visible(page.getByTestId('no-assignments')), 120_000);
  await page.getByTestId(`slack-channel-D0RITA`).click();
  await until(
    "Rita's DM to say the access expired",
    () => visible(slackMessages(page).filter({ hasText: /expired/i })),
    20_000,
  );
  await until(
    'the audit trail to record the expiry',
    () => visible(page.getByTestId('audit').filter({ hasText: 'expired' })),
    20_000,
  );
  await be(page, 'ann');
  await page.getByTestId('slack-channel-C0APPROVALS').click();
  await until('the approval message to say the access expired', () =>
    visible(slackMessages(page).filter({ hasText: requestId }).filter({ hasText: 'Access expired' })),
  );
  await until('the Teams card to say the access expired', () =>
    visible(teamsMessages(page).filter({ hasText: /Access expired/ })),
  );
  await shot(page, '07-expired');

  log("an assignment made behind keyless' back raises a security alert");
  await be(page, 'rita');
  await page.getByTestId('assign-outside').click();
  await until('the out-of-band assignment in the emulator', () => visible(rows.filter({ hasText: 'rita' })));
  await be(page, 'sam');
  await page.getByTestId('slack-channel-C0SECURITY').click();
  await until(
    'the security alert in Slack #security',
    () => visible(slackMessages(page).filter({ hasText: 'without a keyless grant' })),
    45_000,
  );
  await page.getByTestId('teams-conversation-security').click();
  await until(
    'the security alert in the Teams security channel',
    () => visible(teamsMessages(page).filter({ hasText: /grant/i })),
    20_000,
  );
  await until('the alert in the panel', () => visible(page.getByTestId('alert')));
  await shot(page, '08-security-alert');
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is needed: apt-get install -y chromium (looked for ${CHROMIUM})`);
  }
  mkdirSync(SHOTS, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'keyless-chromium-'));
  let playground: RunningPlayground | undefined;
  let browser: BrowserContext | undefined;
  let page: Page | undefined;
  try {
    log('starting the playground (npm start)');
    playground = await startPlayground();
    log(`playground at ${playground.url}`);
    // A fresh profile each run (playwright passes it to Chromium as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 800 },
      timezoneId: 'Europe/Paris',
      locale: 'en-GB',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await flow(page, playground.url);
    if (problems.length) throw new StepFailed(`the page reported errors:\n${problems.join('\n')}`);
    log('the whole flow passed');
  } catch (error) {
    if (page) {
      const path = join(tmpdir(), `keyless-browser-failure-${Date.now()}.png`);
      await page.screenshot({ path }).catch(() => undefined);
      console.error(`screenshot of the failure: ${path}`);
    }
    if (playground) console.error(`playground output:\n${playground.output.join('').slice(-6000)}`);
    throw error;
  } finally {
    await browser?.close().catch(() => undefined);
    if (playground) await stopPlayground(playground);
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`browser test FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
