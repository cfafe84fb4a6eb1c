import { defineArtifact } from '../artifact.js';
import { described } from '../describe.js';
import { readWebkitFolders, webkitFolderObservables, webkitInputs, webkitRoots, type WebkitFolderRecord } from './_webkit_folders.js';

export default defineArtifact<WebkitFolderRecord>({
  id: 'ios.webkit_local_storage',
  version: 1,
  title: 'Sites with WebKit Local Storage',
  mvt: { module: 'webkit_local_storage', className: 'WebkitLocalStorage' },
  doc: 'Every site that used Local Storage in Safari or in an app\'s web view leaves a database named after it (or, from iOS 16, a folder with an origin file naming it); an exploit or phishing page can be left behind here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: { 'ios-fs': webkitInputs(webkitRoots, ['LocalStorage']) },
  inputMode: 'all',
  parse: readWebkitFolders,
  timeline: (r) => [{ time: r.isodate, event: 'webkit_local_storage', description: described`WebKit Local Storage folder ${r.folder} containing file for URL ${r.url}` }],
  observables: webkitFolderObservables,
});
