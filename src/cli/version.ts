/** The version shown by `webcard --version`; the build stamps the commit in. */
import pkg from "../../package.json" with { type: "json" };

declare const WEBCARD_COMMIT: string | undefined;

const commit = typeof WEBCARD_COMMIT === "string" ? WEBCARD_COMMIT : "";
export const VERSION: string = commit ? `${pkg.version}+${commit}` : pkg.version;
