// Public API of analytics/: the fill journal's line codecs and writer, the signal snapshot, the tearsheet and its HTML report.
export { FillSignalSnapshot, JournalFillLine, JournalMarkoutLine, JournalLine, FillJournal } from "./journal.js";
export { renderHtmlReport, summaryTable as replaySummaryTable } from "./report.js";
export type { ReportData } from "./report.js";
// Reading journals back and the tearsheet (what `quoteflow report` prints and renders).
export { parseJournal, loadJournal, journalFiles } from "./load.js";
export type { LoadedJournal } from "./load.js";
export { tearsheet } from "./tearsheet.js";
export type { Tearsheet, PnlDecomposition, Curve, CurvePoint } from "./tearsheet.js";
export { reportJournal } from "./cli.js";
