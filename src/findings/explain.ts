/**
 * The level policy and plain-language explanations for indicator matches, in one place (STYLE.md §3):
 * parsers only say what they observed and whether it is the thing itself or a mention of it.
 */
import type { Observable } from '../artifacts/artifact.js';
import type { Level, MatchKind } from './finding.js';

/**
 * Process names this short are never enough on their own for HIGH: public feeds list `bh` (Pegasus), and two
 * to four letters are a locale code, an abbreviation or a generated name in thousands of ordinary apps.
 */
export const SHORT_PROCESS_NAME_CHARS = 4;

/** How an observable matched, when the level depends on it (process names). */
export interface MatchedBy {
  readonly kind: MatchKind;
  /** The indicator's value. */
  readonly indicator: string;
}

const PROCESS_KINDS: ReadonlySet<MatchKind> = new Set(['process', 'process-truncated', 'process-in-path']);

/**
 * CRITICAL when the device exchanged something with the indicator (a visit, a received or sent link, the
 * other party of a call, message or interaction, an invitation's organiser or attendee); HIGH when it is
 * only written down (an address-book value, a host in free text without a scheme, a link preview's title or
 * summary). The parser says which through `role`; docs/differences-from-mvt.md ("Observables beyond MVT's")
 * gives the reasons. Process names (docs/dev/matching.md): a file named like a process is HIGH, not proof
 * that it ran; a name of SHORT_PROCESS_NAME_CHARS or fewer is MEDIUM wherever it is seen.
 */
export function levelForMatch(observable: Observable, by?: MatchedBy): Level {
  if (by !== undefined && PROCESS_KINDS.has(by.kind)) {
    if (by.indicator.length <= SHORT_PROCESS_NAME_CHARS) return 'medium';
    if (by.kind === 'process-in-path') return 'high';
  }
  return observable.role === 'mention' ? 'high' : 'critical';
}

const SHORT_NAME_NOTE = ` The name has ${SHORT_PROCESS_NAME_CHARS} characters or fewer, so ordinary software uses it too: on its own it is not enough; look for other traces (the process in network use or shutdown.log, a file in a system folder such as /private/var/db/ or /private/var/tmp/).`;

/** `(seen in the record's "entries.url" field)`: the finding's record says the rest. */
function where(observable: Observable): string {
  return `(seen in the record's "${observable.field}" field)`;
}

export function explainMatch(kind: MatchKind, observable: Observable, collection: string, indicator?: string): string {
  const text = explainKind(kind, observable, collection);
  const short = indicator !== undefined && PROCESS_KINDS.has(kind) && indicator.length <= SHORT_PROCESS_NAME_CHARS;
  return short ? `${text}${SHORT_NAME_NOTE}` : text;
}

function explainKind(kind: MatchKind, observable: Observable, collection: string): string {
  const who = `the "${collection}" indicators`;
  const mention = observable.role === 'mention';
  switch (kind) {
    case 'exact-url':
      return mention
        ? `This exact web address, listed in ${who}, is written on this device ${where(observable)}, for example in a link preview, a contact card or a note. Written down is weaker than received or opened: check who wrote it and whether the link was ever sent or visited. Innocent explanations: a security warning or an article quoting the link, a researcher's notes.`
        : `This exact web address is listed in ${who}. A message or visit with it means the device received or opened a link used by that spyware operation; a link that was received but never opened is still evidence of targeting.`;
    case 'domain':
    case 'subdomain':
    case 'ip':
      return mention
        ? `A name or text on this device mentions ${kind === 'subdomain' ? 'a sub-domain of a host' : 'a host'} listed in ${who} ${where(observable)}: a file path, an address-book entry, a link preview's title, or a host typed in a message without "https://". A mention is weaker than a visit or a received link: check what the text is before drawing conclusions. Innocent explanations: a news article, a security warning or a journalist's or researcher's notes naming the operator's site; in free text, an ordinary word that happens to be a registered name.`
        : `This record points at ${kind === 'ip' ? 'an IP address' : kind === 'subdomain' ? 'a sub-domain of a domain' : 'a domain'} listed in ${who} as spyware infrastructure. A visit or a received link to it is strong evidence of targeting. Innocent explanations are rare; a researcher who opened the link on purpose is one.`;
    case 'process':
    case 'process-truncated':
      return `A process with a name listed in ${who} ran on this device${kind === 'process-truncated' ? ' (iOS truncates long names to 16 characters, so only the start is compared)' : ''}. Spyware processes often pose as system services; a legitimate program with the same name is unlikely but possible for very short names.`;
    case 'process-in-path':
      return `A file on the device has the name of a process listed in ${who}. A file with the name is not proof that the process ran: check where it is (spyware put its binaries in system folders such as /private/var/db/ or /private/var/tmp/), its size and whether the same name shows in network use, shutdown.log or crash reports.`;
    case 'file-name':
    case 'file-path':
      return `A file ${mention ? 'name or path mentioned on' : 'present on'} this device matches ${who}. Spyware leaves files at known places; confirm that the file is not a coincidentally named legitimate one.`;
    case 'email':
      return mention
        ? `An account listed in ${who} is stored on this device ${where(observable)}: in an address-book card, or written in a message, note or shortcut. Spyware operators used it (for example to send zero-click iMessage exploits), but storing an address is not exchanging anything with it: look for calls, messages or invitations from it. Innocent explanation: a journalist or researcher investigating the operator may keep its address in their contacts or notes.`
        : `This account is listed in ${who}: spyware operators used it (for example to send zero-click iMessage exploits). The device exchanged something with it ${where(observable)}: a call, a message, an interaction or a calendar invitation (iOS processes an invitation or a message from it without any action by the user). This is strong evidence of targeting; an innocent explanation is rare (a researcher contacting the operator on purpose).`;
    case 'hash':
      return `A file's hash equals one listed in ${who}: the very same file was distributed by that operation.`;
    case 'app-id':
    case 'cert-hash':
      return `An installed app matches ${who} by its ${kind === 'app-id' ? 'identifier' : 'signing certificate'}.`;
    case 'profile-id':
      return `A configuration profile with an identifier listed in ${who} was installed. Spyware operators have used profiles to persist on devices.`;
    case 'profile-id-truncated':
      return `A configuration profile event names an identifier that is the start of one listed in ${who} (iOS's profile event log can keep identifiers cut short, so only the start could be compared). Spyware operators have used profiles to persist on devices. An unrelated profile whose identifier starts the same way is unlikely but possible: check the installed profiles' names and payloads.`;
    case 'android-property':
      return `A system property listed in ${who} is set on this device.`;
  }
}
