import { describe, expect, it } from 'vitest';
import tcc, { type TccRecord } from '../../../src/artifacts/ios/tcc.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

describe('ios.tcc on the MVT test backup', () => {
  it('reads the 11 access rows of the iOS 14 schema with their auth values', async () => {
    const { records, timeline, coverage } = await parseBackup<TccRecord>(tcc, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(11);
    expect(timeline).toHaveLength(11);
    expect(records[0]).toMatchObject({ service: 'kTCCServiceUbiquity', client: 'com.apple.Preferences', auth_value: 'allowed' });
    const launch = records.find((r) => r.client === 'Launch')!;
    expect(launch).toMatchObject({ service: 'kTCCServiceLiverpool', auth_reason_desc: 'service_policy', client_type: 'bundle_id' });
    expect(launch.last_modified?.mvt()).toBe('2021-12-03 19:32:03.000000');
  });
});
