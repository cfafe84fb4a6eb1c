import { defineArtifact } from '../artifact.js';
import { described } from '../describe.js';
import { readWebkitFolders, webkitFolderObservables, webkitInputs, webkitRoots, type WebkitFolderRecord } from './_webkit_folders.js';

export default defineArtifact<WebkitFolderRecord>({
  id: 'ios.webkit_indexeddb',
  version: 1,
  title: 'Sites with WebKit IndexedDB storage',
  mvt: { module: 'webkit_indexeddb', className: 'WebkitIndexedDB' },
  doc: 'Every site that stored IndexedDB data in Safari or in an app\'s web view leaves a folder named after it (or, from iOS 16, a folder with an origin file naming it); an exploit or phishing page can be left behind here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: { 'ios-fs': webkitInputs(webkitRoots, ['IndexedDB']) },
  inputMode: 'all',
  parse: readWebkitFolders,
  timeline: (r) => [{ time: r.isodate, event: 'webkit_indexeddb', description: described`IndexedDB folder ${r.folder} containing file for URL ${r.url}` }],
  observables: webkitFolderObservables,
});
