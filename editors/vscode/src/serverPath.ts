// Works out which leaklint binary to start from the `leaklint.path` setting. Kept free of the
// `vscode` module so that it can be tested with plain Node.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The command looked up on PATH when `leaklint.path` is empty. */
export const DEFAULT_COMMAND = 'leaklint';

/** Where the server binary is to be found, before checking that it is there. */
export type ServerLocation =
  /** `leaklint.path` is empty: look `name` up on PATH. */
  | { readonly kind: 'path-lookup'; readonly name: string }
  /** `leaklint.path` names a file; `file` is absolute. */
  | { readonly kind: 'file'; readonly configured: string; readonly file: string }
  /** `leaklint.path` is relative but there is no workspace folder to resolve it against. */
  | { readonly kind: 'unresolvable'; readonly configured: string };

/** Expands a leading `~` (alone, or followed by a path separator) to `home`. */
export function expandHome(p: string, home: string = os.homedir()): string {
  if (p === '~') {
    return home;
  }
  if (p.startsWith('~/') || p.startsWith(`~${path.sep}`)) {
    return path.join(home, p.slice(2));
  }
  return p;
}

/**
 * Interprets the `leaklint.path` setting: empty means `leaklint` from PATH; otherwise `~` is
 * expanded and a relative path is taken relative to `workspaceRoot` (the first workspace folder).
 */
export function locateServer(
  setting: string | undefined,
  workspaceRoot: string | undefined,
  home: string = os.homedir(),
): ServerLocation {
  const configured = (setting ?? '').trim();
  if (configured === '') {
    return { kind: 'path-lookup', name: DEFAULT_COMMAND };
  }
  const expanded = expandHome(configured, home);
  if (path.isAbsolute(expanded)) {
    return { kind: 'file', configured, file: path.normalize(expanded) };
  }
  if (workspaceRoot === undefined) {
    return { kind: 'unresolvable', configured };
  }
  return { kind: 'file', configured, file: path.resolve(workspaceRoot, expanded) };
}

/** Whether `file` is a regular file that this process may execute. */
export function isExecutableFile(file: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds `name` on `searchPath` (a PATH value) the way `child_process.spawn` does without a
 * shell: on Windows it also tries the `.exe` and `.com` suffixes.
 */
export function findOnPath(
  name: string,
  searchPath: string | undefined,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const delimiter = platform === 'win32' ? ';' : ':';
  const candidates = platform === 'win32' ? [`${name}.exe`, `${name}.com`, name] : [name];
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (dir === '') {
      continue;
    }
    for (const candidate of candidates) {
      const file = path.join(dir.replace(/^"(.*)"$/, '$1'), candidate);
      if (isExecutableFile(file, platform)) {
        return file;
      }
    }
  }
  return undefined;
}

/** The PATH value of `env`, whatever the case of its name (Windows spells it `Path`). */
export function pathFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH');
  return key === undefined ? undefined : env[key];
}

/** The executable to start for `location`, or undefined when there is none. */
export function resolveExecutable(
  location: ServerLocation,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  switch (location.kind) {
    case 'path-lookup':
      return findOnPath(location.name, pathFromEnv(env), platform);
    case 'file':
      return isExecutableFile(location.file, platform) ? location.file : undefined;
    case 'unresolvable':
      return undefined;
  }
}

/** Names what was tried, for error messages. */
export function describeLocation(location: ServerLocation): string {
  switch (location.kind) {
    case 'path-lookup':
      return `"${location.name}" was not found on PATH`;
    case 'file':
      return location.file === location.configured
        ? `"${location.file}" does not exist or is not executable (from the leaklint.path setting)`
        : `"${location.file}" does not exist or is not executable (from the leaklint.path setting "${location.configured}")`;
    case 'unresolvable':
      return `the leaklint.path setting "${location.configured}" is a relative path, but no workspace folder is open to resolve it against`;
  }
}
