/**
 * The device line of a report from what the acquisition said of the phone (`AcquisitionInfo.device`, as a
 * check's info.json and a case's acquisition metadata keep it): `iPhone9,3`, `iOS 14.3 (18C66)`.
 */
import type { DeviceFacts } from './model.js';

export interface PhoneWords {
  readonly name?: string | undefined;
  readonly productType?: string | undefined;
  readonly productVersion?: string | undefined;
  readonly buildVersion?: string | undefined;
  readonly serialNumber?: string | undefined;
  readonly udid?: string | undefined;
}

export function deviceFacts(d: PhoneWords, kind: string): DeviceFacts {
  const platform = kind.startsWith('ios') ? 'iOS' : kind.startsWith('android') ? 'Android' : '';
  const os = d.productVersion !== undefined ? `${platform ? `${platform} ` : ''}${d.productVersion}${d.buildVersion ? ` (${d.buildVersion})` : ''}` : undefined;
  return {
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.productType !== undefined ? { model: d.productType } : {}),
    ...(os !== undefined ? { os } : {}),
    ...(d.serialNumber !== undefined ? { serial: d.serialNumber } : {}),
    ...(d.udid !== undefined ? { id: d.udid } : {}),
  };
}
