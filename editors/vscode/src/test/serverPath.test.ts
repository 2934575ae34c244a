import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import {
  describeLocation,
  expandHome,
  findOnPath,
  locateServer,
  pathFromEnv,
  resolveExecutable,
} from '../serverPath';

const posix = process.platform !== 'win32';
const home = path.resolve('/home/someone');
const root = path.resolve('/work/project');

describe('expandHome', () => {
  it('expands ~ alone and ~/ prefixes', () => {
    assert.equal(expandHome('~', home), home);
    assert.equal(expandHome('~/.cargo/bin/leaklint', home), path.join(home, '.cargo/bin/leaklint'));
  });

  it('leaves other paths alone', () => {
    assert.equal(expandHome('~other/leaklint', home), '~other/leaklint');
    assert.equal(expandHome('bin/~/leaklint', home), 'bin/~/leaklint');
  });
});

describe('locateServer', () => {
  it('looks leaklint up on PATH when the setting is empty or blank', () => {
    for (const setting of [undefined, '', '   ']) {
      assert.deepEqual(locateServer(setting, root, home), { kind: 'path-lookup', name: 'leaklint' });
    }
  });

  it('takes an absolute path as it is', () => {
    const file = path.resolve('/opt/leaklint/bin/leaklint');
    assert.deepEqual(locateServer(file, root, home), { kind: 'file', configured: file, file });
  });

  it('expands ~', () => {
    assert.deepEqual(locateServer('~/.cargo/bin/leaklint', root, home), {
      kind: 'file',
      configured: '~/.cargo/bin/leaklint',
      file: path.join(home, '.cargo', 'bin', 'leaklint'),
    });
  });

  it('resolves a relative path against the first workspace folder', () => {
    assert.deepEqual(locateServer('target/release/leaklint', root, home), {
      kind: 'file',
      configured: 'target/release/leaklint',
      file: path.join(root, 'target', 'release', 'leaklint'),
    });
    assert.deepEqual(locateServer('./leaklint', root, home), {
      kind: 'file',
      configured: './leaklint',
      file: path.join(root, 'leaklint'),
    });
  });

  it('cannot resolve a relative path without a workspace folder', () => {
    const location = locateServer('target/release/leaklint', undefined, home);
    assert.deepEqual(location, { kind: 'unresolvable', configured: 'target/release/leaklint' });
    assert.match(describeLocation(location), /no workspace folder/);
  });
});

describe('finding the executable', { skip: !posix && 'needs POSIX permissions' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leaklint-vscode-'));
  const binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  const executable = path.join(binDir, 'leaklint');
  fs.writeFileSync(executable, '#!/bin/sh\n', { mode: 0o755 });
  const plain = path.join(dir, 'not-executable');
  fs.writeFileSync(plain, '', { mode: 0o644 });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds leaklint on PATH, skipping empty and missing entries', () => {
    const searchPath = ['', path.join(dir, 'missing'), dir, binDir].join(':');
    assert.equal(findOnPath('leaklint', searchPath, 'linux'), executable);
    assert.equal(
      resolveExecutable({ kind: 'path-lookup', name: 'leaklint' }, { PATH: searchPath }, 'linux'),
      executable,
    );
  });

  it('reports a command that is not on PATH', () => {
    const location = { kind: 'path-lookup', name: 'leaklint' } as const;
    assert.equal(resolveExecutable(location, { PATH: dir }, 'linux'), undefined);
    assert.equal(resolveExecutable(location, {}, 'linux'), undefined);
    assert.match(describeLocation(location), /"leaklint" was not found on PATH/);
  });

  it('accepts only executable regular files', () => {
    const at = (file: string) => ({ kind: 'file', configured: file, file }) as const;
    assert.equal(resolveExecutable(at(executable), {}, 'linux'), executable);
    assert.equal(resolveExecutable(at(plain), {}, 'linux'), undefined);
    assert.equal(resolveExecutable(at(binDir), {}, 'linux'), undefined);
    assert.equal(resolveExecutable(at(path.join(dir, 'missing')), {}, 'linux'), undefined);
  });

  it('names the file and the setting when the configured binary is missing', () => {
    const location = locateServer('~/nowhere/leaklint', root, home);
    assert.equal(
      describeLocation(location),
      `"${path.join(home, 'nowhere', 'leaklint')}" does not exist or is not executable ` +
        '(from the leaklint.path setting "~/nowhere/leaklint")',
    );
  });
});

describe('pathFromEnv', () => {
  it('reads PATH whatever the case of its name', () => {
    assert.equal(pathFromEnv({ PATH: '/a' }), '/a');
    assert.equal(pathFromEnv({ Path: 'C:\\bin' }), 'C:\\bin');
    assert.equal(pathFromEnv({}), undefined);
  });
});
