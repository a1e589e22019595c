/**
 * The scripts a fresh loader carries (docs/card-scripts.md section 6). An
 * administrator may replace them (PUT /admin/scripts/NAME); until then these
 * are used, and nothing is written to the card's memory for them.
 */

/** The CGI script associated with the loader: load a package and install its applets. */
export const LOAD_SCRIPT = `# /cgi-bin/load: load a package and install its applets (steps 3-4 of a load)
require auth                       # 401 without an authenticated secure channel
require level 01                   # 403 below C-MAC
require nonce                      # 403 unless the form carries the nonce of GET /loader, once
require field load-file
check $cap-version in $cap-versions 415 "CAP format {cap-version} is not accepted: the loader takes {cap-versions}"
check $load-size <= $free-memory 413 "The load file needs {load-size} bytes, the card has {free-memory} free"
report "loading package {package} version {package-version} ({load-size} bytes)"
order install-for-load package=$package size=$load-size
order load file=$load-file
each install
  order install module=$module instance=$instance privileges=$privileges parameters=$parameters
  report "installed {instance}"
end
respond 200 "package {package} loaded and installed"
`;

/** Scripts by CGI name. */
export const DEFAULT_SCRIPTS: Readonly<Record<string, string>> = { load: LOAD_SCRIPT };
