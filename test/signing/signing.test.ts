/**
 * Keys and signatures a second lab checks with the OpenSSH it already has: ssh-keygen (OpenSSH 9.2 here) reads
 * our keys and verifies our SSHSIG signatures, and our verifier accepts ssh-keygen's. The shell side is run
 * for real; nothing here mocks OpenSSH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, UserError } from '../../src/errors.js';
import { createKeyFiles, privateKeyFileIsEncrypted, readPrivateKeyFile, readPublicKeyFile } from '../../src/signing/key-files.js';
import { formatPublicKey, parsePrivateKey, parsePublicKey } from '../../src/signing/keys.js';
import { signMessage, verifyMessage } from '../../src/signing/sshsig.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { SSH_KEYGEN, sshVerify } from './_ssh.js';


function newKey(comment = 'lab-a@example') {
  const dir = tempDir('keys');
  const path = join(dir, 'key');
  return { dir, path, made: createKeyFiles(path, comment) };
}

describe('tracehound keys new', () => {
  it('writes KEY mode 0600 in openssh-key-v1 and KEY.pub, and ssh-keygen derives the same public key from KEY', () => {
    const { path, made } = newKey();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const priv = readFileSync(path, 'utf8');
    expect(priv.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
    expect(Buffer.from(priv.split('\n').slice(1, -2).join(''), 'base64').subarray(0, 15).toString('latin1')).toBe('openssh-key-v1\0');
    const pub = readFileSync(`${path}.pub`, 'utf8');
    expect(pub).toBe(made.publicLine);
    expect(pub).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} lab-a@example\n$/);
    expect(execFileSync(SSH_KEYGEN, ['-y', '-f', path], { encoding: 'utf8' })).toBe(pub);
    // And ssh-keygen reads KEY.pub itself (its fingerprint of both files agrees).
    const fp = (f: string) => execFileSync(SSH_KEYGEN, ['-l', '-f', f], { encoding: 'utf8' }).split(' ')[1];
    expect(fp(`${path}.pub`)).toBe(fp(path));
  });

  it('refuses to overwrite an existing key or public key', () => {
    const { path } = newKey();
    expect(() => createKeyFiles(path)).toThrow(/key: already exists \(refusing to overwrite a key/);
    const other = join(tempDir('keys'), 'k2');
    writeFileSync(`${other}.pub`, 'something else');
    expect(() => createKeyFiles(other)).toThrow(/k2\.pub: already exists/);
    expect(readFileSync(`${other}.pub`, 'utf8')).toBe('something else');
  });

  it('reads keys ssh-keygen made, unencrypted and passphrase-protected (aes256-ctr, bcrypt_pbkdf)', () => {
    const dir = tempDir('keys');
    execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'made-by-openssh', '-f', join(dir, 'plain')]);
    expect(formatPublicKey(readPrivateKeyFile(join(dir, 'plain')))).toBe(readFileSync(join(dir, 'plain.pub'), 'utf8'));
    execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', 'correct horse', '-C', 'locked', '-f', join(dir, 'locked')]);
    expect(privateKeyFileIsEncrypted(join(dir, 'locked'))).toBe(true);
    expect(formatPublicKey(readPrivateKeyFile(join(dir, 'locked'), 'correct horse'))).toBe(readFileSync(join(dir, 'locked.pub'), 'utf8'));
    const wrong = (() => {
      try {
        readPrivateKeyFile(join(dir, 'locked'), 'wrong horse');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(wrong).toBeInstanceOf(UserError);
    expect((wrong as UserError).code).toBe('wrong-password');
    expect((wrong as UserError).message).toMatch(/locked: wrong passphrase \(the decrypted check words differ\)$/);
    expect(() => readPrivateKeyFile(join(dir, 'locked'))).toThrow(/locked: the key is encrypted and no passphrase was given/);
  });

  it('writes a passphrase-protected key that ssh-keygen opens with the passphrase and not without', () => {
    const path = join(tempDir('keys'), 'locked');
    const made = createKeyFiles(path, 'lab-c', 'pass phrase');
    expect(privateKeyFileIsEncrypted(path)).toBe(true);
    expect(execFileSync(SSH_KEYGEN, ['-y', '-P', 'pass phrase', '-f', path], { encoding: 'utf8' })).toBe(made.publicLine);
    expect(spawnSync(SSH_KEYGEN, ['-y', '-P', 'wrong', '-f', path], { encoding: 'utf8' }).status).not.toBe(0);
    expect(formatPublicKey(readPrivateKeyFile(path, 'pass phrase'))).toBe(made.publicLine);
  });

  it.each([
    ['an RSA public key', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x\n', /not an Ed25519 OpenSSH public key/],
    ['an empty file', '', /empty \(expected an "ssh-ed25519 AAAA…" line\)/],
    ['a truncated key blob', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x\n', /truncated at public key/],
  ])('refuses %s as a public key with one line naming the file', (_, text, message) => {
    const path = join(tempDir('keys'), 'bad.pub');
    writeFileSync(path, text);
    expect(() => readPublicKeyFile(path)).toThrow(message);
    expect(() => readPublicKeyFile(path)).toThrow(/bad\.pub: /);
  });

  it('refuses a private key whose seed does not give its public key', () => {
    const { path } = newKey();
    const other = newKey().made.publicLine.split(' ')[1] as string;
    const own = readFileSync(`${path}.pub`, 'utf8').split(' ')[1] as string;
    // Swap both copies of the public key inside the private file for another key's.
    const body = Buffer.from(readFileSync(path, 'utf8').split('\n').slice(1, -2).join(''), 'base64');
    const ownKey = Buffer.from(own, 'base64').subarray(19);
    const otherKey = Buffer.from(other, 'base64').subarray(19);
    let at = body.indexOf(ownKey);
    while (at >= 0) {
      otherKey.copy(body, at);
      at = body.indexOf(ownKey, at + 1);
    }
    const text = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(() => parsePrivateKey(text)).toThrow(/does not match its public key|inconsistent Ed25519 key/);
  });
});

describe('SSHSIG signatures', () => {
  const message = Buffer.from('{"files":{"findings.json":"…"}}\n');

  it('are verified by ssh-keygen -Y verify with an allowed-signers line made from KEY.pub', () => {
    const { path, made } = newKey();
    const sig = signMessage(readPrivateKeyFile(path), message);
    expect(sig).toMatch(/^-----BEGIN SSH SIGNATURE-----\n[A-Za-z0-9+/=\n]+-----END SSH SIGNATURE-----\n$/);
    const ok = sshVerify(made.publicLine, sig, message);
    expect(ok.out).toContain('Good "tracehound" signature for reviewer with ED25519 key');
    expect(ok.status).toBe(0);
    expect(verifyMessage(sig, message, readPublicKeyFile(`${path}.pub`).key)).toEqual({ ok: true });
  });

  it('fail under ssh-keygen and under our verifier for a changed message, another key or another namespace', () => {
    const { path, made } = newKey();
    const pair = readPrivateKeyFile(path);
    const sig = signMessage(pair, message);
    const changed = Buffer.from(message);
    changed[3] = changed[3]! ^ 1;
    expect(sshVerify(made.publicLine, sig, changed).status).not.toBe(0);
    expect(verifyMessage(sig, changed, pair.key)).toEqual({ ok: false, reason: 'the signature does not match the signed file (it was changed after signing)' });

    const stranger = newKey('stranger');
    expect(sshVerify(stranger.made.publicLine, sig, message).status).not.toBe(0);
    expect(verifyMessage(sig, message, parsePublicKey(stranger.made.publicLine).key)).toEqual({ ok: false, reason: 'signed by another key than the one given' });

    const gitSig = signMessage(pair, message, 'git');
    expect(sshVerify(made.publicLine, gitSig, message).status).not.toBe(0);
    expect(verifyMessage(gitSig, message, pair.key)).toEqual({ ok: false, reason: 'signature namespace is "git" (expected "tracehound")' });
  });

  it('made by ssh-keygen -Y sign -n tracehound are accepted by our verifier', () => {
    const { dir, path } = newKey();
    const file = join(dir, 'manifest.json');
    writeFileSync(file, message);
    execFileSync(SSH_KEYGEN, ['-q', '-Y', 'sign', '-f', path, '-n', 'tracehound', file]);
    const sig = readFileSync(`${file}.sig`, 'utf8');
    const key = readPublicKeyFile(`${path}.pub`).key;
    expect(verifyMessage(sig, message, key)).toEqual({ ok: true });
    expect(verifyMessage(sig, Buffer.concat([message, Buffer.from(' ')]), key).ok).toBe(false);
  });

  it.each([
    ['no armor', 'hello', /no "-----BEGIN SSH SIGNATURE-----" … "-----END SSH SIGNATURE-----" block/],
    ['armor around nothing', '-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n', /truncated at magic/],
    ['the wrong magic', `-----BEGIN SSH SIGNATURE-----\n${Buffer.from('SSHSIX\0\0\0\x01').toString('base64')}\n-----END SSH SIGNATURE-----\n`, /no "SSHSIG" magic/],
    ['version 2', `-----BEGIN SSH SIGNATURE-----\n${Buffer.from('SSHSIG\0\0\0\x02').toString('base64')}\n-----END SSH SIGNATURE-----\n`, /SSHSIG version 2 \(expected 1\)/],
    ['a huge length', `-----BEGIN SSH SIGNATURE-----\n${Buffer.from('SSHSIG\0\0\0\x01\xff\xff\xff\xff', 'latin1').toString('base64')}\n-----END SSH SIGNATURE-----\n`, /truncated at public key \(needs 4294967295 bytes, 0 left\)/],
  ])('refuse a malformed signature (%s) with one FormatError line', (_, sig, message) => {
    const key = newKey().made.publicLine;
    expect(() => verifyMessage(sig, Buffer.from('x'), parsePublicKey(key).key)).toThrow(FormatError);
    expect(() => verifyMessage(sig, Buffer.from('x'), parsePublicKey(key).key)).toThrow(message);
  });
});
