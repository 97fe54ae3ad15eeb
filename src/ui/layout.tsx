import type { Child } from 'hono/jsx';

export type Section = 'keys' | 'deployments' | 'usage' | 'batches';

const NAV: [Section, string][] = [
  ['keys', 'Keys'],
  ['deployments', 'Deployments'],
  ['usage', 'Usage'],
  ['batches', 'Batches'],
];

/** Every dashboard page: skip link, navigation, sign-out (a CSRF-protected form), then the page. */
export function Layout(props: { title: string; section?: Section; csrf?: string; children?: Child; refresh?: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · vLLM edge gateway`}</title>
        <link rel="stylesheet" href="/ui/app.css" />
        {props.refresh ? (
          <noscript>
            <meta http-equiv="refresh" content="3" />
          </noscript>
        ) : null}
        <script src="/ui/app.js" defer></script>
      </head>
      <body>
        <a class="sr-only skip" href="#main">
          Skip to content
        </a>
        {props.section ? (
          <header>
            <strong>vLLM edge gateway</strong>
            <nav aria-label="Dashboard">
              <ul>
                {NAV.map(([id, label]) => (
                  <li>
                    <a href={`/ui/${id}`} aria-current={props.section === id ? 'page' : undefined}>
                      {label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <form method="post" action="/ui/logout">
              <input type="hidden" name="_csrf" value={props.csrf} />
              <button type="submit">Sign out</button>
            </form>
          </header>
        ) : null}
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A small POST form (one button) carrying the CSRF token: how every state change is made. */
export function ActionForm(props: { action: string; csrf: string; label: string; danger?: boolean; children?: Child }) {
  return (
    <form class="inline" method="post" action={props.action}>
      <input type="hidden" name="_csrf" value={props.csrf} />
      {props.children}
      <button type="submit" class={props.danger ? 'danger' : undefined}>
        {props.label}
      </button>
    </form>
  );
}

export function Notice(props: { kind?: 'error' | 'success'; children?: Child }) {
  return (
    <div class={`notice ${props.kind ?? ''}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
