import type { IndicatorRef } from '../findings/finding.js';
import type { Indicator } from '../indicators/collection.js';

/** What a finding records about the indicator it matched (no back-reference to the whole collection). */
export function toIndicatorRef(ind: Indicator): IndicatorRef {
  const { collection } = ind;
  return {
    value: ind.value,
    key: ind.key,
    bucket: ind.bucket,
    collection: { id: collection.id, name: collection.name },
    file: { path: collection.file.path, name: collection.file.name, sha256: collection.file.sha256 },
    ...(ind.stixId === '' ? {} : { stixId: ind.stixId }),
  };
}
