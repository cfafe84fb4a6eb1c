/**
 * Every acquisition type, the one list the rest derives from: `SourceKind`, the keys of an artifact's
 * `inputs`, `--type`'s choices, the detectors (detect.ts). The container (folder, zip, tar) is not a kind:
 * any kind may sit in any container (stored-files.ts). Its own module so the command line can offer the
 * choices without loading the evidence layer.
 */
export const sourceKinds = ['ios-backup', 'ios-fs', 'ios-sysdiagnose', 'android-androidqf', 'android-bugreport', 'android-backup', 'android-intrusion-logs'] as const;

export type SourceKind = (typeof sourceKinds)[number];
