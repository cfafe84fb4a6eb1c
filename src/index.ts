/**
 * The library entry: what other tools embed. The same operations as the CLI, with its types; nothing here
 * prints or exits. Import as `import { check, loadIndicators } from 'tracehound'`.
 */
export { check, allArtifacts, allRules } from './app/check.js';
export type { CheckOptions, CheckResult, CheckEvent, OutputFormat } from './app/check.js';
export { detectAcquisition, openAcquisition } from './evidence/detect.js';
export type { Detection } from './evidence/detect.js';
export type { CredentialProvider } from './evidence/ios-backup-keys.js';
export type { AgeCredential, AgeCredentialProvider, AgeHeaderInfo } from './evidence/fs/age.js';
export type { AcquisitionInfo, EvidenceFile, EvidenceRef, Source, SourceKind } from './evidence/source.js';
export { loadIndicators, defaultIndicatorsDir } from './indicators/load.js';
export type { LoadedIndicators, LoadOptions, FileReport, Rejected } from './indicators/load.js';
export { compileIndicators } from './indicators/match.js';
export type { Matcher, IndicatorMatch } from './indicators/match.js';
export { levels, levelRank, parseLevel } from './findings/finding.js';
export type { Finding, Level, MatchKind, IndicatorRef, RuleRef } from './findings/finding.js';
export type { Coverage, CoverageState } from './findings/coverage.js';
export type { Artifact, AnyArtifact, MvtCounterpart, Observable, ObservableKind, TimelineEvent } from './artifacts/artifact.js';
export type { Description } from './artifacts/describe.js';
export { createDetector } from './detection/detector.js';
export type { Detector } from './detection/detector.js';
export type { RecordFacts } from './detection/facts.js';
export type { Sink, RunStart, RunInfo } from './report/output.js';
export type { Rule, AnyRule } from './rules/rule.js';
export { UserError, FormatError } from './errors.js';
export { toolVersion } from './version.js';
export { updateFeeds } from './indicators/feeds.js';
export type { UpdateOptions, UpdateReport, FeedOutcome, FeedStatus, Ledger, LedgerEntry } from './indicators/feeds.js';
export { renderReport } from './report/html/render.js';
export { modelFromNativeOutput } from './report/html/from-native.js';
export type { ReportModel, ReportFinding, ReportLevel, CoverageEntry, TimelineModel, Provenance, Subject, DeviceFacts, FindingBasis } from './report/html/model.js';
