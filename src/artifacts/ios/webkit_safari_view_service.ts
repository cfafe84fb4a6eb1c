import { defineArtifact } from '../artifact.js';
import { readWebkitFolders, safariViewServiceRoot, webkitFolderObservables, webkitInputs, type WebkitFolderRecord } from './_webkit_folders.js';

export default defineArtifact<WebkitFolderRecord>({
  id: 'ios.webkit_safari_view_service',
  version: 1,
  title: 'Sites opened in in-app Safari views',
  mvt: { module: 'webkit_safari_view_service', className: 'WebkitSafariViewService' },
  doc: 'Links an app opens in an in-app Safari view (SafariViewService) keep their site storage apart from Safari\'s, in the app\'s SystemData; a link sent through a messenger and opened there leaves its site here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  // MVT looks for site entries directly in WebsiteData; the stores of both layouts are below it.
  inputs: { 'ios-fs': webkitInputs([safariViewServiceRoot], ['IndexedDB', 'LocalStorage'], ['WebsiteData']) },
  inputMode: 'all',
  parse: readWebkitFolders,
  // MVT gives this module no timeline.
  observables: webkitFolderObservables,
});
