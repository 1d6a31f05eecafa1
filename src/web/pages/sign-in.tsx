// Signing in and out: the operator password (rate-limited, hashed comparison), Sign in with Slack (OpenID
// Connect) and Sign in with Discord (OAuth2), each with a state (and, for Slack, a nonce) bound to this
// browser by a signed, short-lived cookie. A new session starts at each sign-in. Also the page shown when no
// sign-in method is configured, and the one "Add to Slack" returns to.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { errorMessage } from '../../lib/errors.ts';
import { PRE_CSRF, field, randomToken, type Ctx, type Kit, type WebEnv } from '../kit.tsx';
import { PASSWORD_MAX, createSignInLimiter } from '../password.ts';
import { clearCookie, readCookie, sameSecret, setCookie } from '../session.ts';
import { Csrf } from '../views/layout.tsx';
import { boundedText } from '../../lib/bounded-text.ts';

const OAUTH = 'cb_oauth';

export function OffPage() {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Dashboard off · cyberbrief</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <header class="top">
          <span class="brand">cyberbrief</span>
        </header>
        <main id="main">
          <h1>The dashboard is off</h1>
          <p>No sign-in method is configured, so this dashboard shows nothing. The bot itself is running (see /healthz).</p>
          <p>To turn it on, set one of these in the bot's environment and restart it:</p>
          <ul>
            <li>
              <code>DASHBOARD_PASSWORD</code>: an operator password (for installs without Slack or Discord sign-in);
            </li>
            <li>
              <code>SLACK_CLIENT_ID</code> and <code>SLACK_CLIENT_SECRET</code>: Sign in with Slack (and Add to Slack);
            </li>
            <li>
              <code>DISCORD_CLIENT_SECRET</code> with <code>DISCORD_APPLICATION_ID</code>: Sign in with Discord.
            </li>
          </ul>
        </main>
      </body>
    </html>
  );
}

function InstallLinks(props: { kit: Kit }) {
  const { slack, discord } = props.kit.deps.installLinks;
  if (!slack && !discord) return null;
  return (
    <section aria-labelledby="install">
      <h2 id="install">Add cyberbrief to a workspace or server</h2>
      <p class="actions">
        {slack ? (
          <a class="button secondary" href={slack}>
            Add to Slack
          </a>
        ) : null}
        {discord ? (
          <a class="button secondary" href={discord}>
            Add to Discord
          </a>
        ) : null}
      </p>
    </section>
  );
}

export { InstallLinks };

async function signInPage(c: Ctx, kit: Kit, status = 200, error: string | null = null): Promise<Response> {
  const { providers, password } = kit.deps;
  let token = await readCookie(c, kit.cookies, PRE_CSRF);
  if (!token) {
    token = randomToken();
    await setCookie(c, kit.cookies, PRE_CSRF, token, { sameSite: 'Strict' });
  }
  return kit.page(c, status, {
    title: 'Sign in',
    flash: error ? { text: error, error: true } : undefined,
    body: (
      <div class="signin">
        <p>Sign in to see the feeds, topics, channels and alerts you can manage with /news.</p>
        {providers.slack ? (
          <a class="button provider" href="/auth/slack">
            Sign in with Slack
          </a>
        ) : null}
        {providers.discord ? (
          <a class="button provider" href="/auth/discord">
            Sign in with Discord
          </a>
        ) : null}
        {password ? (
          <form method="post" action="/sign-in/password">
            <h2>Operator sign-in</h2>
            <Csrf token={token} />
            <label for="password">Operator password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required maxlength={PASSWORD_MAX} />
            <p>
              <button type="submit">Sign in</button>
            </p>
          </form>
        ) : null}
        <InstallLinks kit={kit} />
      </div>
    ),
  });
}

export function registerSignIn(app: Hono<WebEnv>, kit: Kit): void {
  const { deps } = kit;
  const limiter = createSignInLimiter(deps.storage.webSessions, deps.settings.signInAttempts);

  app.get('/sign-in', async (c) => {
    if (c.get('session')) return c.redirect('/', 303);
    return signInPage(c, kit);
  });

  app.post('/sign-in/password', async (c) => {
    if (!deps.password) return c.text('not found\n', 404);
    const now = deps.clock.now();
    const address = kit.clientAddress(c);
    // The try is counted before the password is hashed (a failure unless it turns out right).
    const refusal = await limiter.attempt(address, now);
    if (refusal) {
      deps.logger.warn({ address }, 'web: password sign-in refused, too many failures');
      return signInPage(c, kit, 429, refusal);
    }
    const form = await kit.form(c);
    if (!(await deps.password.matches(field(form, 'password')))) {
      deps.logger.warn({ address }, 'web: a password sign-in failed');
      return signInPage(c, kit, 401, 'That password is not right.');
    }
    await limiter.succeeded(address);
    const old = c.get('session');
    if (old) await kit.sessions.end(c, old);
    await kit.sessions.start(c, { kind: 'operator' });
    clearCookie(c, kit.cookies, PRE_CSRF);
    deps.logger.info({ address }, 'web: the operator signed in');
    return c.redirect('/', 303);
  });

  app.get('/auth/:provider', async (c) => {
    const name = c.req.param('provider');
    const provider = name === 'slack' || name === 'discord' ? deps.providers[name] : undefined;
    if (!provider) return c.text('not found\n', 404);
    const state = randomToken();
    const nonce = randomToken();
    await setCookie(c, kit.cookies, OAUTH, JSON.stringify({ p: provider.name, state, nonce }), { maxAgeSeconds: 600 });
    return c.redirect(provider.authorizeUrl({ state, nonce, redirectUri: `${kit.publicBase(c)}/auth/${provider.name}/callback` }), 302);
  });

  app.get('/auth/:provider/callback', async (c) => {
    const name = c.req.param('provider');
    const provider = name === 'slack' || name === 'discord' ? deps.providers[name] : undefined;
    if (!provider) return c.text('not found\n', 404);
    const raw = await readCookie(c, kit.cookies, OAUTH);
    clearCookie(c, kit.cookies, OAUTH);
    let saved: { p?: unknown; state?: unknown; nonce?: unknown } = {};
    try {
      saved = raw ? (JSON.parse(raw) as typeof saved) : {};
    } catch {
      saved = {};
    }
    const label = provider.name === 'slack' ? 'Slack' : 'Discord';
    const state = c.req.query('state') ?? '';
    if (saved.p !== provider.name || typeof saved.state !== 'string' || typeof saved.nonce !== 'string' || !sameSecret(state, saved.state)) {
      deps.logger.warn({ provider: provider.name }, 'web: an OAuth callback did not match this browser\'s sign-in (state)');
      return signInPage(c, kit, 400, `That ${label} sign-in did not start in this browser, or took more than 10 minutes; try again.`);
    }
    if (c.req.query('error')) return signInPage(c, kit, 400, `${label} sign-in was cancelled (${boundedText(c.req.query('error')!, 60)}).`);
    const code = c.req.query('code') ?? '';
    if (!code || code.length > 1000) return signInPage(c, kit, 400, `${label} sent no sign-in code; try again.`);
    let user;
    try {
      user = await provider.finish({ code, nonce: saved.nonce, redirectUri: `${kit.publicBase(c)}/auth/${provider.name}/callback`, now: deps.clock.now() });
    } catch (err) {
      deps.logger.warn({ provider: provider.name, err: errorMessage(err) }, `web: ${label} sign-in failed: ${errorMessage(err)}`);
      return signInPage(c, kit, 502, `${label} sign-in did not complete: ${errorMessage(err)}. Try again, or ask the operator to check the ${label} app settings.`);
    }
    const old = c.get('session');
    if (old) await kit.sessions.end(c, old);
    await kit.sessions.start(c, user);
    deps.logger.info({ provider: provider.name, user: user.kind === 'operator' ? 'operator' : user.userId, ...(user.kind === 'slack' ? { team: user.teamId } : {}) }, `web: signed in with ${label}`);
    return c.redirect('/', 303);
  });

  app.post('/sign-out', async (c) => {
    const session = c.get('session');
    if (session) kit.viewers.forget(session.id);
    await kit.sessions.end(c, session);
    return kit.back(c, '/sign-in', { text: 'You are signed out.' });
  });

  // Where "Add to Slack" comes back to (the Slack adapter's install callback redirects here).
  app.get('/installed', async (c) => {
    const error = c.req.query('error');
    // Both come from a link anyone can craft: one clean line each, bounded (lib/bounded-text.ts).
    const team = c.req.query('team') ? boundedText(c.req.query('team')!, 100) : undefined;
    return kit.page(c, error ? 400 : 200, {
      title: error ? 'Installation failed' : 'Installed',
      body: error ? (
        <p class="notice error">{`cyberbrief was not installed: ${boundedText(error, 200)}. Try Add to Slack again.`}</p>
      ) : (
        <div>
          <p>{`cyberbrief is installed in ${team ?? 'your workspace'}. Invite it to a channel (/invite @cyberbrief) and run /news subscribe there.`}</p>
          <p>
            <a href="/sign-in">Sign in to the dashboard</a>
          </p>
        </div>
      ),
    });
  });
}
