// The page frame: a skip link, a header with the main navigation (landmarks: banner, navigation, main,
// contentinfo), the signed-in person and a sign-out form, one h1 per page, and messages from the last action.
/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import { shownTime } from '../../domain/shown-time.ts';
import type { Viewer } from '../types.ts';

export interface Flash {
  text: string;
  error?: boolean;
}

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/feeds', label: 'Feeds' },
  { href: '/topics', label: 'Topics' },
  { href: '/channels', label: 'Channels' },
  { href: '/alerts', label: 'Alerts' },
];

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

export function Layout(props: { title: string; viewer?: Viewer | null; csrf?: string; path?: string; flash?: Flash | null; children?: Child; scripts?: string[] }) {
  const { viewer } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · cyberbrief`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        {(props.scripts ?? []).map((s) => (
          <script src={s} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            cyberbrief
          </a>
          {viewer ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.path === n.href ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {viewer && props.csrf ? (
            <div class="who">
              <span>{viewer.label}</span>
              <form method="post" action="/sign-out" class="inline">
                <Csrf token={props.csrf} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.flash ? (
            <p class={props.flash.error ? 'notice error' : 'notice'} role={props.flash.error ? 'alert' : 'status'}>
              {props.flash.text}
            </p>
          ) : null}
          {viewer?.notice ? <p class="notice error">{viewer.notice}</p> : null}
          {props.children}
        </main>
        <footer>
          <p>cyberbrief: cyber-diplomacy news for Slack and Discord. The same rights as /news apply here.</p>
        </footer>
      </body>
    </html>
  );
}

/** "3 minutes ago"-free absolute times: UTC, to the minute, as everywhere else (shownTime), machine-readable in datetime. */
export function Time(props: { at: Date | null; empty?: string }) {
  if (!props.at) return <span class="muted">{props.empty ?? 'never'}</span>;
  const iso = props.at.toISOString();
  return <time datetime={iso}>{shownTime(props.at)}</time>;
}

export function ChannelName(props: { platform: string; name: string | null; externalId: string }) {
  return <span>{channelLabel(props)}</span>;
}

/** A channel as the dashboard names it everywhere: `#news (Slack)`, `console (Console)`. */
export function channelLabel(c: { platform: string; name: string | null; externalId: string }): string {
  const where = c.platform === 'slack' ? 'Slack' : c.platform === 'discord' ? 'Discord' : 'Console';
  return `${c.platform === 'console' ? '' : '#'}${c.name ?? c.externalId} (${where})`;
}

/** A link target from stored data: only http(s) URLs become links (never javascript: or data:). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** A story title linked to the story when its URL is a web address. */
export function StoryLink(props: { title: string; url: string | null }) {
  const href = safeHref(props.url);
  return href ? (
    <a href={href} rel="noopener noreferrer">
      {props.title}
    </a>
  ) : (
    <span>{props.title}</span>
  );
}
