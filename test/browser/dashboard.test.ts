// The dashboard in a real browser: headless Debian Chromium driven by playwright-core, against `wrangler dev`.
// Screenshots of every page land in test-results/screenshots/ (CI keeps them as artifacts).
import { mkdirSync } from 'node:fs';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, deploy, gatewayUrl, masterKey, sdk, unique } from '../e2e/helpers/gateway';

const SHOTS = 'test-results/screenshots';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

/** Every visible form control has an accessible name (a label, or aria-label). */
async function unlabelledControls(): Promise<string[]> {
  return page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els.filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
  );
}

describe('dashboard in Chromium', () => {
  it('without a session, pages redirect to sign-in', async () => {
    for (const path of ['/ui/keys', '/ui/usage', '/ui/batches', '/ui/deployments']) {
      await page.goto(`${gatewayUrl()}${path}`);
      expect(new URL(page.url()).pathname).toBe('/ui/login');
    }
    await shot('sign-in');
    expect(await unlabelledControls()).toEqual([]);
  });

  it('signs in, creates a key, sees its spend after SDK calls, blocks it and the API answers 401', async () => {
    const dep = await deploy({ info: { input_cost_per_token: 0.01, output_cost_per_token: 0.02 } });
    await page.goto(`${gatewayUrl()}/ui/login`);
    await page.fill('#master_key', masterKey());
    await page.press('#master_key', 'Enter');
    await page.waitForURL(/\/ui\/keys$/);
    expect(await page.context().cookies()).toEqual([expect.objectContaining({ name: 'gw_session', httpOnly: true, secure: true, sameSite: 'Strict' })]);
    expect(JSON.stringify(await page.context().cookies())).not.toContain(masterKey());
    await shot('keys');
    // Keyboard: the first Tab lands on the skip link, which shows itself, with a focus ring that stands out on white.
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { href: el.getAttribute('href'), width: el.getBoundingClientRect().width, outline: `${style.outlineStyle} ${style.outlineColor}` };
    });
    expect(skip).toEqual({ href: '#main', width: expect.any(Number), outline: 'solid rgb(29, 78, 216)' });
    expect(skip.width).toBeGreaterThan(20);

    const alias = unique('browser-key');
    await page.click('summary:has-text("Create a key")');
    await page.fill('#f-key_alias', alias);
    await page.fill('#f-models', dep.group);
    await page.fill('#f-rpm_limit', '100');
    await page.click('button:has-text("Create key")');
    const plaintext = (await page.textContent('#new-key'))!.trim();
    expect(plaintext).toMatch(/^sk-/);
    await shot('key-created');
    // The copy button puts exactly the key on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gatewayUrl() });
    await page.click('button[data-copy="new-key"]');
    await expect.poll(() => page.textContent('button[data-copy="new-key"]')).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(plaintext);

    const client = sdk(plaintext);
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({ model: dep.group, messages: [{ role: 'user', content: 'spend me' }] });
      expect(r.choices[0]!.message.content).toBe('spend me');
    }
    // Settlement runs after each response; the usage page shows it once booked.
    await expect.poll(async () => {
      await page.goto(`${gatewayUrl()}/ui/usage`);
      return (await page.textContent('main')) ?? '';
    }, { timeout: 10_000 }).toContain(alias);
    await shot('usage');
    await page.goto(`${gatewayUrl()}/ui/keys`);
    const row = page.locator(`tr:has-text("${alias}")`);
    expect(await row.locator('[data-spend]').textContent()).toBe('$0.180000');
    await row.locator('a[href$="/delete"]').click();
    expect(await page.textContent('main')).toMatch(/Delete key sk-\.\.\./);
    await shot('key-delete-confirm');
    await page.goto(`${gatewayUrl()}/ui/keys`);
    await row.locator(`a[aria-label="Edit ${alias}"]`).click();
    expect(await page.inputValue('#f-rpm_limit')).toBe('100');
    await shot('key-edit');
    await page.goto(`${gatewayUrl()}/ui/keys`);

    await row.locator('button:has-text("Block")').click();
    await page.waitForURL(/\/ui\/keys$/);
    expect(await page.locator(`tr:has-text("${alias}") [data-status]`).textContent()).toBe('blocked');
    const error = await client.chat.completions.create({ model: dep.group, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect(await unlabelledControls()).toEqual([]);
  });

  it('shows deployments and watches a batch\'s progress bar reach completed', async () => {
    const dep = await deploy({ sim: { latencyMs: 250 }, info: { batch_concurrency: 1 } });
    await page.goto(`${gatewayUrl()}/ui/deployments`);
    expect(await page.textContent('main')).toContain(dep.group);
    await shot('deployments');

    const lines = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ custom_id: `b${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'x', messages: [{ role: 'user', content: `line ${i}` }] } }),
    ).join('\n');
    const client = sdk();
    const file = await client.files.create({ file: new File([lines], 'batch.jsonl'), purpose: 'batch' }, { headers: { 'x-litellm-model': dep.group } });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await page.goto(`${gatewayUrl()}/ui/batches`);
    const row = page.locator(`tr[data-batch="${batch.id}"]`);
    expect(await row.count()).toBe(1);
    await shot('batches-running');
    const seen = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const status = (await page.locator(`tr[data-batch="${batch.id}"] [data-status]`).textContent()) ?? '';
      seen.add(status);
      if (status === 'completed') break;
      await page.waitForTimeout(250);
    }
    expect(seen.has('completed')).toBe(true);
    expect(await page.locator(`tr[data-batch="${batch.id}"] progress`).getAttribute('value')).toBe('6');
    await shot('batches-completed');
    const download = await page.request.get(`${gatewayUrl()}/ui/batches/${batch.id}/output`);
    expect((await download.text()).trim().split('\n')).toHaveLength(6);
    await admin(`/v1/files/${file.id}`, { method: 'DELETE' });
  });
});
