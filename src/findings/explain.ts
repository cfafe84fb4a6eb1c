/**
 * The level policy and plain-language explanations for indicator matches, in one place (STYLE.md §3):
 * parsers only say what they observed and whether it is the thing itself or a mention of it.
 */
import type { Observable } from '../artifacts/artifact.js';
import type { Level, MatchKind } from './finding.js';

export function levelForMatch(observable: Observable): Level {
  return observable.role === 'mention' ? 'high' : 'critical';
}

export function explainMatch(kind: MatchKind, observable: Observable, collection: string): string {
  const who = `the "${collection}" indicators`;
  const mention = observable.role === 'mention';
  switch (kind) {
    case 'exact-url':
      return `This exact web address is listed in ${who}. A message or visit with it means the device received or opened a link used by that spyware operation; a link that was received but never opened is still evidence of targeting.`;
    case 'domain':
    case 'subdomain':
    case 'ip':
      return mention
        ? `A name on this device mentions a host listed in ${who}. A mention is weaker than a visit: check what the file is before drawing conclusions.`
        : `This record points at ${kind === 'ip' ? 'an IP address' : kind === 'subdomain' ? 'a sub-domain of a domain' : 'a domain'} listed in ${who} as spyware infrastructure. A visit or a received link to it is strong evidence of targeting. Innocent explanations are rare; a researcher who opened the link on purpose is one.`;
    case 'process':
    case 'process-truncated':
      return `A process with a name listed in ${who} ran on this device${kind === 'process-truncated' ? ' (iOS truncates long names to 16 characters, so only the start is compared)' : ''}. Spyware processes often pose as system services; a legitimate program with the same name is unlikely but possible for very short names.`;
    case 'process-in-path':
      return `A path on the device contains a component named like a process listed in ${who}. This is a mention, not proof that the process ran.`;
    case 'file-name':
    case 'file-path':
      return `A file ${mention ? 'name or path mentioned on' : 'present on'} this device matches ${who}. Spyware leaves files at known places; confirm that the file is not a coincidentally named legitimate one.`;
    case 'email':
      return `This account is listed in ${who}: spyware operators used it (for example to send zero-click iMessage exploits). A lookup or message from it is strong evidence of targeting.`;
    case 'hash':
      return `A file's hash equals one listed in ${who}: the very same file was distributed by that operation.`;
    case 'app-id':
    case 'cert-hash':
      return `An installed app matches ${who} by its ${kind === 'app-id' ? 'identifier' : 'signing certificate'}.`;
    case 'profile-id':
      return `A configuration profile with an identifier listed in ${who} was installed. Spyware operators have used profiles to persist on devices.`;
    case 'android-property':
      return `A system property listed in ${who} is set on this device.`;
  }
}
