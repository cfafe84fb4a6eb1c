/**
 * Which findings are current for an acquisition: the rule findings of the check that read it (rules work on
 * the evidence, a recheck does not re-run them), and the indicator findings of the latest finished run over
 * it (its check, or the last recheck, which stores its whole set so that the next one can say what changed).
 */
import type { CaseDb, Row } from './db.js';

/** `latest(acquisition_id, run_id)`: the latest finished run over each acquisition. */
export const LATEST_RUNS = `
  SELECT ra.acquisition_id AS acquisition_id, max(ra.run_id) AS run_id
  FROM run_acquisitions ra JOIN runs r ON r.id = ra.run_id
  WHERE r.finished_at IS NOT NULL
  GROUP BY ra.acquisition_id`;

/** Current findings, optionally of one device's acquisitions, most severe first. */
export function currentFindings(db: CaseDb, deviceId: number | null): Row[] {
  return db
    .prepare(
      `WITH latest AS (${LATEST_RUNS})
       SELECT f.*, d.name AS device_name
       FROM findings f
       JOIN latest l ON l.acquisition_id = f.acquisition_id
       JOIN acquisitions a ON a.id = f.acquisition_id
       JOIN devices d ON d.id = a.device_id
       WHERE (f.indicator_value IS NULL OR f.run_id = l.run_id)
         AND (? IS NULL OR a.device_id = ?)
       ORDER BY CASE f.level WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, f.acquisition_id, f.id`,
    )
    .all(deviceId, deviceId);
}

/** The device id for a name, or null when the case has no such device. */
export function deviceIdOf(db: CaseDb, name: string): number | null {
  const row = db.prepare('SELECT id FROM devices WHERE name = ?').get(name);
  return row === undefined ? null : Number(row.id);
}
