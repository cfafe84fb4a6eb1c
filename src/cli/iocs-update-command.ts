/** `tracehound iocs update`: one line per feed, then a total; `--json` for scripts. */
import { updateFeeds, type FeedOutcome, type UpdateReport } from '../indicators/feeds.js';
import { EXIT } from './exit-codes.js';

export interface IocsUpdateFlags {
  index?: string;
  json?: true;
  signal?: AbortSignal;
}

export async function runIocsUpdate(flags: IocsUpdateFlags): Promise<number> {
  const report = await updateFeeds({
    ...(flags.index !== undefined ? { indexUrl: flags.index } : {}),
    ...(flags.signal !== undefined ? { signal: flags.signal } : {}),
    ...(flags.json ? {} : { onFeed: (o: FeedOutcome) => process.stdout.write(feedLine(o)) }),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(summaryText(report));
  // Incomplete (3) when a feed could not be fetched or an entry was refused: the user has not got every feed.
  const complete = report.refused.length === 0 && report.feeds.every((f) => f.status === 'updated' || f.status === 'unchanged');
  return complete ? EXIT.ok : EXIT.incomplete;
}

function feedLine(o: FeedOutcome): string {
  const count = o.indicators !== undefined ? `${o.indicators} indicators` : '';
  return `${o.status.padEnd(9)} ${o.name}${count ? `  (${count})` : ''}${o.reason ? `\n          ${o.reason}` : ''}\n`;
}

export function summaryText(report: UpdateReport): string {
  const lines = report.refused.map((r) => `refused   ${r.reason}`);
  const by = (s: FeedOutcome['status']) => report.feeds.filter((f) => f.status === s).length;
  lines.push(
    `${by('updated')} updated, ${by('unchanged')} unchanged, ${by('kept')} kept (download failed, previous copy used), ${by('failed')} failed, ${report.refused.length} refused; feeds in ${report.dir}`,
  );
  return `${lines.join('\n')}\n`;
}
