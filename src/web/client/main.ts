/**
 * The dashboard's one client script, served at /assets/app.js (a separate
 * route, so the CSP needs no 'unsafe-inline'): bundled from these files by
 * src/web/assets/client.ts. It follows the server-sent events and drives the
 * forms; every request carries the CSRF header.
 */
import { setUpActions } from "./actions.ts";
import { setUpAdmin } from "./gp-admin.ts";
import { follow } from "./events.ts";
import { setUpInstall } from "./install.ts";
import { loadPanel } from "./panel.ts";
import { setUpStation } from "./station.ts";

setUpInstall();
setUpActions();
setUpAdmin();
follow();
loadPanel();
setUpStation();
