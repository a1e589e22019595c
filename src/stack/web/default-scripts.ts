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
find package $package              # found, found-version, found-instances, card-apps
if $replace == yes                 # replace: delete the copy on the card and whatever instance is in the way
  if $found == yes
    order delete aid=$package
    report "deleted package {package} and its instances"
    find package $package
  end
  each install
    if $instance in $card-apps
      order delete aid=$instance
      report "deleted instance {instance}"
    end
  end
end
set outcome "loaded and installed"
if $found == yes                   # the same version, none of the new instances: install from it
  check $found-version == $package-version 409 "Package {package} version {found-version} is already on the card; this file has version {package-version}"
  each install
    check $instance !in $card-apps 409 "Package {package} and instance {instance} are already on the card"
  end
  report "package {package} {package-version} is already on the card: installing from it without loading again"
  set outcome "installed from the copy already on the card"
end
if $found == no
  check $load-size <= $free-memory 413 "The load file needs {load-size} bytes, the card has {free-memory} free"
  report "loading package {package} version {package-version} ({load-size} bytes)"
  order install-for-load package=$package size=$load-size
  order load file=$load-file
end
each install
  order install module=$module instance=$instance privileges=$privileges parameters=$parameters load-file=$package
  report "installed {instance}"
end
respond 200 "package {package} {outcome}"
`;

/** Scripts by CGI name. */
export const DEFAULT_SCRIPTS: Readonly<Record<string, string>> = { load: LOAD_SCRIPT };
