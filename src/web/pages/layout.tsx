/** @jsxImportSource hono/jsx */
/** The page shell: head with the CSRF token, style and script from the dashboard's own routes. */
import type { Child } from "hono/jsx";

export interface LayoutProps {
  title: string;
  csrf: string;
  /** The reader a card page is about (the client script scopes its events to it). */
  reader?: string;
  children?: Child;
}

/** Wrap a page's content in the shell. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={props.csrf} />
        <title>{props.title} · webcard</title>
        <link rel="stylesheet" href="/assets/style.css" />
        <script src="/assets/app.js" defer></script>
      </head>
      <body data-reader={props.reader ?? ""}>
        <header class="top">
          <a class="brand" href="/">webcard</a>
          <nav aria-label="Main">
            <a href="/">Readers</a>
          </nav>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** The path of a card's page. */
export function cardPath(reader: string): string {
  return `/cards/${encodeURIComponent(reader)}`;
}
