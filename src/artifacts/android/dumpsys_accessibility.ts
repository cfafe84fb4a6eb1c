import { decodeAccessibility, type AccessibilityService } from '../../formats/dumpsys-accessibility.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

export type DumpsysAccessibilityRecord = AccessibilityService;

export default defineArtifact<DumpsysAccessibilityRecord>({
  id: 'android.dumpsys_accessibility',
  version: 1,
  title: 'Accessibility services (dumpsys accessibility)',
  doc: 'The accessibility services on the phone: an accessibility service can read everything on the screen and act for the user, which is how most Android stalkerware and much spyware reads messages.',
  references: ['https://developer.android.com/guide/topics/ui/accessibility/service'],
  mvt: { module: 'dumpsys_accessibility', className: 'DumpsysAccessibility' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'accessibility', decodeAccessibility),
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
