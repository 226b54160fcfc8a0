import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startLoopbackRedirect } from './loopback-redirect.js';

async function visit(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url);
  return { status: res.statusCode, text: await res.body.text() };
}

describe('startLoopbackRedirect', () => {
  it('hands over the code of a redirect with the right state, and answers the browser', async () => {
    const redirect = await startLoopbackRedirect();
    expect(redirect.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const code = redirect.waitForCode('state-123', 5000);
    const page = await visit(`${redirect.redirectUri}?code=the-code&state=state-123`);
    expect(await code).toBe('the-code');
    expect(page.status).toBe(200);
    expect(page.text).toContain('ferry is authorized');
  });

  it('rejects a redirect with another state', async () => {
    const redirect = await startLoopbackRedirect({ path: '/cb' });
    const code = redirect.waitForCode('expected-state', 5000);
    const outcome = code.catch((e: unknown) => e);
    const page = await visit(`${redirect.redirectUri}?code=stolen&state=forged`);
    expect(await outcome).toMatchObject({ code: 'AUTH_STATE_MISMATCH' });
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('stolen');
  });

  it('reports a refusal by the provider', async () => {
    const redirect = await startLoopbackRedirect();
    const outcome = redirect.waitForCode('s', 5000).catch((e: unknown) => e);
    await visit(`${redirect.redirectUri}?error=access_denied&error_description=user+said+no&state=s`);
    expect(await outcome).toMatchObject({ code: 'AUTH_DENIED', message: 'the provider refused the authorization: access_denied (user said no)' });
  });

  it('judges a redirect that arrived before waitForCode', async () => {
    const redirect = await startLoopbackRedirect();
    const page = visit(`${redirect.redirectUri}?code=early&state=s1`);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redirect.waitForCode('s1', 5000)).toBe('early');
    expect((await page).status).toBe(200);
  });

  it('gives up after the timeout', async () => {
    const redirect = await startLoopbackRedirect();
    await expect(redirect.waitForCode('s', 100)).rejects.toMatchObject({ code: 'AUTH_TIMEOUT' });
  });

  it('ignores other paths', async () => {
    const redirect = await startLoopbackRedirect();
    const origin = new URL(redirect.redirectUri).origin;
    expect((await visit(`${origin}/favicon.ico`)).status).toBe(404);
    await redirect.close();
  });
});
