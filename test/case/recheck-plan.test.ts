/**
 * A recheck is a set operation whose cost follows the indicators, not the stored observables: the query plan
 * drives from the indicator keys into the index of stored keys, and never scans the observables.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MATCHED_RECORDS_SQL } from '../../src/case/recheck.js';
import { openCase } from '../../src/case/store.js';
import { tempDir } from '../fixtures/ios-backup.js';

it('looks each indicator key up in the distinct stored keys, then the observables with it, scanning only the indicators', () => {
  const store = openCase(join(tempDir('plan'), 'c'), { create: true });
  try {
    store.db.exec('CREATE TEMP TABLE recheck_indicators (idx INTEGER NOT NULL, key_index VARCHAR(20) NOT NULL, key_value TEXT NOT NULL, subdomains INTEGER NOT NULL, profile_id TEXT)');
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${MATCHED_RECORDS_SQL}`).all().map((r) => String(r.detail));
    expect(plan.slice(0, 4)).toEqual([
      'SCAN i',
      'SEARCH m USING COVERING INDEX sqlite_autoindex_match_keys_1 (key_index=? AND key_value=?)',
      'SEARCH k USING INDEX observable_keys_key (key_id=?)',
      'SEARCH o USING INTEGER PRIMARY KEY (rowid=?)',
    ]);
  } finally {
    store.close();
  }
});
